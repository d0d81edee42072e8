"""先使用后付费 schedule on a deal: generated from the terms (nothing written), saved (edited), confirmed and then
frozen; only the institution's staff (the statistics: monitoring/tests/test_licence_mode_schedules.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from panhuo.common.audit import AuditEvent
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.deals.models import (
    Deal,
    DealKind,
    DealParty,
    DealState,
    LicenceType,
    PartyRole,
    PaymentInstalment,
)
from panhuo.deals.services import instalment_add
from panhuo.deals.services.schedule import schedule_confirm, schedule_generate, schedule_replace

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(university, enterprise):
    d = Deal.objects.create(
        code="JY-PAU-1",
        kind=DealKind.LICENCE,
        licence_type=LicenceType.ORDINARY,
        title="先使用后付费许可",
        institution=university,
        state=DealState.SIGNED,
        pay_after_use=True,
        term_start=date(2026, 1, 1),
        term_end=date(2029, 1, 1),
        contract_date=date(2026, 1, 1),
        contract_amount_fen=30_000_000,
    )
    DealParty.objects.create(deal=d, organization=university, role=PartyRole.LICENSOR)
    DealParty.objects.create(deal=d, organization=enterprise, role=PartyRole.LICENSEE)
    return d


def _gen(actor, deal, **kw):
    args = dict(
        start=date(2026, 1, 1), end=date(2029, 1, 1), free_months=12, period_months=12, mode="split",
        amount_yuan="300000",
    )  # fmt: skip
    args.update(kw)
    return schedule_generate(deal_id=deal.pk, actor=actor, **args)


def test_generate_writes_nothing_save_edits_confirm_freezes(deal, institution_admin):
    terms, rows = _gen(institution_admin, deal)
    assert [(r.due_date, r.amount_fen) for r in rows] == [
        (date(2028, 1, 1), 15_000_000),
        (date(2029, 1, 1), 15_000_000),
    ]
    assert not PaymentInstalment.objects.filter(deal=deal).exists()
    edited = [
        (rows[0].due_date, "100000", rows[0].note),
        (date(2028, 7, 1), "50000", "调整"),
        (rows[1].due_date, "150000", ""),
    ]
    schedule_replace(deal_id=deal.pk, actor=institution_admin, rows=edited, terms=terms)
    assert list(PaymentInstalment.objects.filter(deal=deal).values_list("amount_fen", flat=True)) == [
        10_000_000,
        5_000_000,
        15_000_000,
    ]
    deal.refresh_from_db()
    assert deal.schedule_terms["mode"] == "split" and deal.schedule_terms["start"] == "2026-01-01"
    schedule_confirm(deal_id=deal.pk, actor=institution_admin)
    with pytest.raises(ApplicationError):
        schedule_replace(deal_id=deal.pk, actor=institution_admin, rows=edited[:1], terms=terms)
    with pytest.raises(ApplicationError):
        instalment_add(deal_id=deal.pk, actor=institution_admin, due_date=date(2030, 1, 1), amount_fen=1)
    assert PaymentInstalment.objects.filter(deal=deal).count() == 3
    assert AuditEvent.objects.filter(action__in=("deal.schedule", "deal.schedule_confirm")).count() == 2


def test_bad_rows_all_named_and_terms_errors_at_once(deal, institution_admin):
    with pytest.raises(ApplicationError) as exc:
        schedule_replace(
            deal_id=deal.pk,
            actor=institution_admin,
            rows=[(None, "100", ""), (date(2027, 1, 1), "abc", ""), (date(2027, 2, 1), "0", "")],
        )
    zh = [e["zh"] for e in exc.value.extra["errors"]]
    assert [z[:5] for z in zh] == ["第 1 行", "第 2 行", "第 3 行"]
    with pytest.raises(ApplicationError) as exc:
        _gen(institution_admin, deal, end=date(2025, 1, 1), period_months=5, amount_yuan="x")
    assert {e["field"] for e in exc.value.extra["errors"]} >= {"end", "period_months", "amount"}
    assert not PaymentInstalment.objects.filter(deal=deal).exists()


def test_only_staff_of_the_institution_and_only_pay_after_use(
    deal, enterprise_user, other_admin, institution_admin
):
    with pytest.raises(NotFound):
        _gen(other_admin, deal)
    with pytest.raises(ApplicationError):
        _gen(enterprise_user, deal)
    Deal.objects.filter(pk=deal.pk).update(pay_after_use=False)
    with pytest.raises(ApplicationError) as exc:
        _gen(institution_admin, deal)
    assert exc.value.code == "schedule_kind"


def test_page_generates_saves_and_confirms(deal, institution_admin, enterprise_user):
    c = Client()
    c.force_login(institution_admin)
    r = c.post(
        f"/deals/{deal.pk}/schedule/",
        {"action": "generate", "start": "2026-01-01", "end": "2029-01-01", "free_months": "12", "period_months": "12",
         "mode": "fixed", "amount": "100000"},
    )  # fmt: skip
    body = r.content.decode()
    assert r.status_code == 200 and "2028-01-01" in body and 'name="due_0"' in body
    r = c.post(
        f"/deals/{deal.pk}/schedule/",
        {"action": "save", "rows": "2", "due_0": "2028-01-01", "amount_0": "100000", "note_0": "第 1 期",
         "due_1": "2029-01-01", "amount_1": "", "note_1": ""},
    )  # fmt: skip
    assert r.status_code == 400 and "第 2 行" in r.content.decode()
    r = c.post(
        f"/deals/{deal.pk}/schedule/",
        {"action": "save", "rows": "1", "due_0": "2028-01-01", "amount_0": "100000", "note_0": "第 1 期"},
    )
    assert r.status_code == 302 and PaymentInstalment.objects.get(deal=deal).amount_fen == 10_000_000
    assert c.post(f"/deals/{deal.pk}/schedule/", {"action": "confirm"}).status_code == 302
    e = Client()
    e.force_login(enterprise_user)
    page = e.get(f"/deals/{deal.pk}/schedule/").content.decode()
    assert "已于" in page and "生成付款计划" not in page
    assert e.post(f"/deals/{deal.pk}/schedule/", {"action": "confirm"}).status_code == 400
