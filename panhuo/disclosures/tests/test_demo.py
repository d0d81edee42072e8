"""The demo loader: one disclosure per stage, the filed one linked into the 基础库; a second run adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest

from panhuo.accounts import demo as accounts_demo
from panhuo.disclosures import demo
from panhuo.disclosures.models import Disclosure, Filing

pytestmark = pytest.mark.django_db


def test_demo_disclosures(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the accounts demo writes its passwords file there
    accounts_demo.load(StringIO())
    demo.load(StringIO())
    states = sorted(Disclosure.objects.values_list("state", flat=True))
    assert states == ["decided", "decided", "draft", "filed", "submitted"]
    assert all(Disclosure.objects.values_list("is_demo", flat=True))
    filing = Filing.objects.get()
    assert filing.patent is not None and filing.inventory_record.organization.code == "DEMO-UNI-1"
    out = StringIO()
    demo.load(out)
    assert Disclosure.objects.count() == 5 and "nothing added" in out.getvalue()
