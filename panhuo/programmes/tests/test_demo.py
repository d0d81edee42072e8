"""The programmes demo: every new page has content, labelled demo, and a second run adds nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from panhuo.accounts import demo as accounts_demo
from panhuo.accounts.models import Organization
from panhuo.deals.models import Deal, DealKind, DealState
from panhuo.programmes import demo
from panhuo.programmes.models import FundedProject, PledgeLoanFigures, SubsidyScheme

pytestmark = pytest.mark.django_db


def test_demo_programmes_are_labelled_and_idempotent(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the accounts demo writes its passwords file there
    accounts_demo.load(StringIO())
    Deal.objects.create(
        code="DEMO-PLEDGE", kind=DealKind.PLEDGE, title="演示质押", state=DealState.PERFORMING, is_demo=True,
        institution=Organization.objects.get(code="DEMO-ENT-1"), contract_amount_fen=5_000_000_00,
        contract_date=date(2026, 1, 10),
    )  # fmt: skip
    demo.load(StringIO())
    demo.load(StringIO())
    schemes = dict(SubsidyScheme.objects.values_list("code", "current_version"))
    assert schemes == {
        "cq-gxq-transfer-licence": 1, "cq-gxq-pledge": 1, "jl-pledge-financing": 2, "sh-service-team": 1,
    }  # fmt: skip
    assert sorted(FundedProject.objects.values_list("status", flat=True)) == ["funded", "passed", "submitted"]
    assert all(FundedProject.objects.values_list("is_demo", flat=True))
    figures = PledgeLoanFigures.objects.get()
    assert figures.is_demo and figures.interest_paid_fen == 5_000_000_00 * 38 // 1000
