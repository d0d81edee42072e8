"""Deals' CSV export prints amounts with the one money formatter (exact, two decimals), never by float division."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from panhuo.deals.models import DealKind, LicenceType
from panhuo.deals.services import deal_create

pytestmark = pytest.mark.django_db


def test_csv_amounts_are_exact_yuan_text(client, institution_admin, patent, enterprise):
    # 10 fen: float division printed "0.1"; 2**53 + 1 fen is beyond a float's exact integers
    for title, fen in (("一角", 10), ("大额", 2**53 + 1)):
        deal_create(
            actor=institution_admin,
            kind=DealKind.LICENCE,
            title=title,
            patents=[patent],
            counterparties=[(enterprise, "licensee")],
            licence_type=LicenceType.ORDINARY,
            contract_amount_fen=fen,
        )
    client.force_login(institution_admin)
    response = client.get(reverse("deals:list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    amounts = {row[2]: (row[6], row[7]) for row in rows[1:]}
    assert amounts == {"一角": ("0.10", "0.00"), "大额": ("90,071,992,547,409.93", "0.00")}
