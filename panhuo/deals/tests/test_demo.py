"""The demo loader: runs on the demo tenants, creates the spread incl. suspicious patterns, and is idempotent."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest

from engine.identifiers.application_number import check_character
from panhuo.accounts import demo as accounts_demo
from panhuo.accounts.models import Organization
from panhuo.deals import demo
from panhuo.deals.models import Deal, IncomeAllocation, OpenLicenceDeclaration, Payment
from panhuo.patents.models import InventoryRecord, Patent


@pytest.mark.django_db
def test_demo_loader_is_idempotent(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the accounts demo writes its passwords file there
    accounts_demo.load(StringIO())
    n = 0
    for code, count in (("DEMO-UNI-1", 25), ("DEMO-UNI-2", 12), ("DEMO-INST-1", 12)):
        org = Organization.objects.get(code=code)
        for _ in range(count):
            n += 1
            digits = f"2020100{n:05d}"
            patent = Patent.objects.create(
                app_no=f"{digits}.{check_character(digits)}",
                title=f"演示专利{n}",
                patent_type="invention",
                grant_date=date(2022, 1, 1),
                inventors=["王建国", "李四"],
                is_demo=True,
            )
            InventoryRecord.objects.create(organization=org, patent=patent, is_demo=True)
    out = StringIO()
    demo.load(out)
    assert "跳过 0" in out.getvalue(), out.getvalue()
    counts = (Deal.objects.count(), Payment.objects.count(), OpenLicenceDeclaration.objects.count())
    assert counts[0] == 23 and counts[2] == 7
    assert Deal.objects.filter(contract_amount_fen=100).exists()  # ¥1
    assert (
        Deal.objects.filter(import_key="demo:u1-aba-back", parties__role="assignee")
        .get()
        .parties.get(role="assignee")
        .organization.code
        == "DEMO-UNI-1"
    )
    assert OpenLicenceDeclaration.objects.filter(withdrawn_at__isnull=False).count() == 1
    assert Deal.objects.filter(kind="open_licence").count() == 1
    assert IncomeAllocation.objects.filter(user__username="demo_inventor").exists()
    assert all(d.is_demo for d in Deal.objects.all())
    demo.load(StringIO())
    assert (Deal.objects.count(), Payment.objects.count(), OpenLicenceDeclaration.objects.count()) == counts
