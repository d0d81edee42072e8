"""Licences by mode and the 先使用后付费 schedule figures, for a region and for one institution."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from panhuo.deals.models import Deal, DealKind, DealState, LicenceType, PaymentInstalment
from panhuo.monitoring.licence_modes import licence_modes

pytestmark = pytest.mark.django_db
TODAY = date.today()


def test_modes_and_deferred_schedule(university, other_university):
    university.region_code = "500107"
    university.save()
    other_university.region_code = "110108"
    other_university.save()
    n = iter(range(100))

    def deal(org, kind=DealKind.LICENCE, **kw):
        kw.setdefault("contract_date", TODAY.replace(month=1, day=1))
        kw.setdefault("state", DealState.PERFORMING)
        return Deal.objects.create(code=f"L{next(n)}", kind=kind, title="许可", institution=org, **kw)

    deferred = deal(
        university,
        licence_type=LicenceType.ORDINARY,
        pay_after_use=True,
        zero_entry_fee=True,
        contract_amount_fen=100_000,
        received_fen=20_000,
    )
    PaymentInstalment.objects.create(deal=deferred, due_date=TODAY - timedelta(days=1), amount_fen=50_000)
    PaymentInstalment.objects.create(deal=deferred, due_date=TODAY + timedelta(days=30), amount_fen=50_000)
    deal(university, licence_type=LicenceType.EXCLUSIVE, contract_amount_fen=300_000)
    deal(university, kind=DealKind.OPEN_LICENCE, licence_type=LicenceType.ORDINARY, contract_amount_fen=5_000)
    deal(university, licence_type=LicenceType.ORDINARY, state=DealState.NEGOTIATION)  # not signed
    deal(other_university, licence_type=LicenceType.ORDINARY)  # another region

    m = licence_modes(year=TODAY.year, today=TODAY, region_prefix="50")
    got = {r.label: (r.deals, r.contract_fen) for r in m.rows}
    assert got == {
        "开放许可": (1, 5_000),
        "先使用后付费": (1, 100_000),
        "零入门费": (1, 100_000),
        "独占许可": (1, 300_000),
        "排他许可": (0, 0),
        "普通许可": (1, 100_000),
    }
    assert (m.pay_after_use_scheduled_fen, m.pay_after_use_overdue_fen) == (50_000, 30_000)
    assert licence_modes(year=TODAY.year, today=TODAY, institution_id=university.pk) == m
    assert licence_modes(year=TODAY.year - 1, today=TODAY, region_prefix="50").rows[0].deals == 0


def test_policy_sections_render_once_per_scope(office_user, institution_admin):
    from django.test import Client

    for user, products in ((office_user, 1), (institution_admin, 0)):
        c = Client()
        c.force_login(user)
        page = c.get("/monitoring/").content.decode()
        for card in ("disclosure-stats", "licence-modes", "outcome-stats", "fiscal-unused-stats"):
            assert page.count(f'id="{card}"') == 1, (user.role, card)
        assert page.count('id="product-stats"') == products
