from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from panhuo.deals.models import Deal, DealKind, DealState
from panhuo.outcomes import demo
from panhuo.outcomes.models import DealOutcome

pytestmark = pytest.mark.django_db


def test_demo_results_are_labelled_and_idempotent(university, institution_admin):
    institution_admin.username = "demo_institution_admin"
    institution_admin.save()
    for n in range(3):
        Deal.objects.create(
            code=f"DEMO-{n}",
            kind=DealKind.LICENCE,
            title="演示",
            institution=university,
            is_demo=True,
            state=DealState.PERFORMING,
            contract_date=date(date.today().year - 2, 1, 1),
        )
    demo.load(StringIO())
    assert DealOutcome.objects.count() == 2 and all(DealOutcome.objects.values_list("is_demo", flat=True))
    demo.load(StringIO())
    assert DealOutcome.objects.count() == 2
