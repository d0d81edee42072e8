from __future__ import annotations

import io

import pytest

from panhuo.accounts import demo as accounts_demo
from panhuo.accounts.models import Organization
from panhuo.evaluation import demo
from panhuo.evaluation.models import Assessment, ValueScore

from .factories import make_patent


@pytest.mark.django_db
def test_demo_is_idempotent_and_labelled():
    accounts_demo.load(io.StringIO())
    org = Organization.objects.get(code="DEMO-UNI-1")
    patents = [make_patent(holder=org, is_demo=True) for _ in range(3)]
    demo.load(io.StringIO())
    first = Assessment.objects.count()
    assert first == 7 and all(a.is_demo for a in Assessment.objects.all())
    demo.load(io.StringIO())
    assert Assessment.objects.count() == first
    assert ValueScore.objects.filter(patent__in=patents).count() == 9
