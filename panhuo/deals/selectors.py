"""Reads on deals. Tenant visibility is decided here, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from engine.deals.money import format_fen
from engine.deals.schedule import add_months  # noqa: F401 - one home for month arithmetic; imported from here too
from panhuo.accounts.models import ADMIN_ROLES, INSTITUTION_STAFF, Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import NotFound
from panhuo.deals.models import (
    CONTRACT_STATES,
    Deal,
    DealKind,
    DealParty,
    DealState,
    Filing,
    FilingKind,
    IncomeAllocation,
    OpenLicenceDeclaration,
    PartyRole,
    PaymentInstalment,
    Recipient,
)
from panhuo.patents.models import PatentIndustry

# SQLite's SUM() refuses to leave signed 64 bits; rows are capped at 10**17 fen, so 50 rows never overflow.
_SQLITE_SUM_BUCKET = 50


def exact_sum_fen(qs: QuerySet[Any], field: str) -> int:
    """Exact sum of a fen column on both databases (PostgreSQL sums bigint as numeric; SQLite in buckets)."""
    if connection.vendor != "sqlite":
        return int(qs.aggregate(total=Sum(field))["total"] or 0)
    buckets = qs.order_by().values(bucket=F("pk") / _SQLITE_SUM_BUCKET).annotate(total=Sum(field))
    return sum(int(row["total"] or 0) for row in buckets)


LICENCE_FILING_MONTHS = 3
REMINDER_WINDOWS = (90, 30, 7)


def deals_visible(user: User) -> QuerySet[Deal]:
    """Parties see their deals; institution staff their institution's; an office the deals in its region."""
    qs = Deal.objects.select_related("institution")
    if not user.is_authenticated:
        return qs.none()
    if user.role in ADMIN_ROLES:
        return qs.none()  # the three admin roles manage the system, not business data
    prefix = office_prefix(user)
    if prefix is not None:
        if prefix == "":
            return qs.all()
        in_region = DealParty.objects.filter(
            deal=OuterRef("pk"), organization__region_code__startswith=prefix
        )
        return qs.filter(Q(institution__region_code__startswith=prefix) | Exists(in_region))
    if user.role == Role.INVENTOR:
        return qs.filter(inventors__user=user).distinct()
    if user.organization_id is None:
        return qs.none()
    party = DealParty.objects.filter(deal=OuterRef("pk"), organization_id=user.organization_id)
    return qs.filter(Q(institution_id=user.organization_id) | Exists(party))


def deal_get(user: User, deal_id: int) -> Deal:
    deal = deals_visible(user).filter(pk=deal_id).first()
    if deal is None:
        raise NotFound("交易不存在", "deal not found")
    return deal


def deal_list(
    user: User, *, kind: str = "", state: str = "", q: str = "", limit: int = 200, offset: int = 0
) -> list[Deal]:
    qs = deals_visible(user)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(code__icontains=q) | Q(deal_patents__patent__app_no__icontains=q)
        )
    offset, limit = max(0, offset), max(1, min(limit, 500))
    return list(qs.distinct().order_by("-created_at", "-id")[offset : offset + limit])


def my_licences(user: User) -> QuerySet[Deal]:
    """An enterprise's licences (incl. open-licence acceptances)."""
    if user.organization_id is None:
        return Deal.objects.none()
    return (
        Deal.objects.filter(
            kind__in=(DealKind.LICENCE, DealKind.OPEN_LICENCE),
            parties__organization_id=user.organization_id,
            parties__role=PartyRole.LICENSEE,
        )
        .select_related("institution", "open_licence")
        .distinct()
        .order_by("-contract_date", "-id")
    )


def income_statement(user: User) -> tuple[list[IncomeAllocation], int]:
    """The acting inventor's own income parts and their total (fen)."""
    rows = list(
        IncomeAllocation.objects.filter(user=user)
        .select_related("payment", "payment__deal")
        .order_by("-payment__received_on", "-id")
    )
    return rows, sum(r.amount_fen for r in rows)


def institution_income_summary(user: User) -> dict[str, int]:
    """Totals per recipient kind for the staff's institution."""
    if user.role not in INSTITUTION_STAFF:
        return {}
    rows = IncomeAllocation.objects.filter(payment__deal__institution_id=user.organization_id)
    return {r: exact_sum_fen(rows.filter(recipient=r), "amount_fen") for r in Recipient.values}


@dataclass(frozen=True)
class Reminder:
    deal_id: int
    deal_code: str
    title: str
    kind: str  # licence_filing | licence_term_end | transfer_registration | instalment_due
    kind_zh: str
    due: date
    days_left: int
    window: int  # 90 | 30 | 7 | 0 (overdue)


def reminders(user: User, *, today: date, horizon_days: int = 90) -> list[Reminder]:
    """Deadlines due within `horizon_days` (and overdue ones): licence filing 3 months after the contract,
    licence term ends, transfer registration, and instalments of the payment schedule not yet received."""
    out: list[Reminder] = []
    visible = deals_visible(user).filter(state__in=(DealState.SIGNED, DealState.FILED, DealState.PERFORMING))
    out += _instalments_due(visible, today=today, until=today + timedelta(days=horizon_days))
    licences = visible.filter(kind__in=(DealKind.LICENCE, DealKind.OPEN_LICENCE))
    unfiled = licences.exclude(filings__kind=FilingKind.LICENCE_FILING).filter(contract_date__isnull=False)
    for deal in unfiled:
        assert deal.contract_date is not None
        due = add_months(deal.contract_date, LICENCE_FILING_MONTHS)
        out.append(_reminder(deal, "licence_filing", "许可合同备案期限（合同生效后 3 个月内）", due, today))
    for deal in licences.filter(term_end__isnull=False, term_end__gte=today):
        assert deal.term_end is not None
        out.append(_reminder(deal, "licence_term_end", "许可期限届满", deal.term_end, today))
    transfers = visible.filter(kind=DealKind.TRANSFER).exclude(filings__kind=FilingKind.TRANSFER_REGISTRATION)
    for deal in transfers.filter(contract_date__isnull=False):
        assert deal.contract_date is not None
        due = add_months(deal.contract_date, 1)
        out.append(_reminder(deal, "transfer_registration", "办理转让登记并缴费（1 个月内）", due, today))
    # Outstanding filings are always listed (a 3-month deadline starts beyond the 90-day window).
    keep = (r for r in out if r.days_left <= horizon_days or r.kind != "licence_term_end")
    return sorted(keep, key=lambda r: (r.due, r.deal_id))


def _instalments_due(deals: QuerySet[Deal], *, today: date, until: date) -> list[Reminder]:
    """Instalments due by `until` that the deal's received money does not cover yet.

    Money received pays the instalments in the order they fall due, so an instalment is open for what the
    schedule up to it exceeds the money received (a part-paid one shows what is left of it)."""
    out: list[Reminder] = []
    rows = (
        PaymentInstalment.objects.filter(deal__in=deals, due_date__lte=until)
        .select_related("deal")
        .order_by("deal_id", "due_date", "id")
    )
    scheduled: dict[int, int] = {}
    numbers: dict[int, int] = {}
    for row in rows:
        deal = row.deal
        scheduled[deal.pk] = scheduled.get(deal.pk, 0) + row.amount_fen
        numbers[deal.pk] = numbers.get(deal.pk, 0) + 1
        open_fen = min(row.amount_fen, scheduled[deal.pk] - deal.received_fen)
        if open_fen <= 0:
            continue
        mode = "（先使用后付费）" if deal.pay_after_use else ""
        what = f"第 {numbers[deal.pk]} 期应收款{mode}：{format_fen(open_fen)} 元未到账"
        out.append(_reminder(deal, "instalment_due", what, row.due_date, today))
    return out


def _reminder(deal: Deal, kind: str, kind_zh: str, due: date, today: date) -> Reminder:
    left = (due - today).days
    window = 0 if left < 0 else next((w for w in sorted(REMINDER_WINDOWS) if left <= w), 999)
    return Reminder(deal.pk, deal.code, deal.title, kind, kind_zh, due, left, window)


@dataclass(frozen=True)
class Reconciliation:
    filed_not_registered: list[Deal]  # filed with CNIPA, no 技术合同认定登记
    registered_not_filed: list[Deal]  # 技术合同认定登记, no CNIPA filing/registration


def reconciliation(user: User) -> Reconciliation:
    visible = deals_visible(user).filter(state__in=CONTRACT_STATES)
    cnipa = (FilingKind.LICENCE_FILING, FilingKind.TRANSFER_REGISTRATION)
    has_cnipa = Filing.objects.filter(deal=OuterRef("pk"), kind__in=cnipa)
    has_tech = Filing.objects.filter(deal=OuterRef("pk"), kind=FilingKind.TECH_CONTRACT)
    filed = visible.filter(Exists(has_cnipa)).exclude(Exists(has_tech)).order_by("-contract_date", "-id")
    registered = (
        visible.filter(Exists(has_tech))
        .exclude(Exists(has_cnipa))
        .filter(kind__in=(DealKind.TRANSFER, DealKind.LICENCE, DealKind.OPEN_LICENCE))
        .order_by("-contract_date", "-id")
    )
    return Reconciliation(list(filed[:500]), list(registered[:500]))


def open_licences_public(
    *, q: str = "", industry: str = "", include_withdrawn: bool = True, limit: int = 200
) -> list[OpenLicenceDeclaration]:
    """The public listing, searchable by technical field (title / IPC) and industry (PatentIndustry)."""
    qs = OpenLicenceDeclaration.objects.select_related("patent", "holder")
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    if q:
        qs = qs.filter(
            Q(patent__title__icontains=q)
            | Q(patent__abstract__icontains=q)
            | Q(patent__ipc_main__istartswith=q.upper())
            | Q(patent__app_no__icontains=q)
        )
    if industry:
        ind = PatentIndustry.objects.filter(patent=OuterRef("patent_id")).filter(
            Q(code__istartswith=industry) | Q(name__icontains=industry)
        )
        qs = qs.filter(Exists(ind))
    return list(qs.order_by("withdrawn_at", "-published_at", "-id")[:limit])


def industries_for_listing() -> list[tuple[str, str]]:
    """Industry options (code, name) present among declared patents, for the public filter."""
    rows = (
        PatentIndustry.objects.filter(patent__open_licences__isnull=False, level__lte=2)
        .values_list("code", "name")
        .distinct()
        .order_by("code")
    )
    return list(rows[:200])


def deal_totals(user: User) -> dict[str, int]:
    agg = (
        deals_visible(user)
        .filter(state__in=CONTRACT_STATES)
        .aggregate(amount=Sum("contract_amount_fen"), received=Sum("received_fen"))
    )
    return {"amount_fen": int(agg["amount"] or 0), "received_fen": int(agg["received"] or 0)}


def filing_due(contract_date: date) -> date:
    return add_months(contract_date, LICENCE_FILING_MONTHS)
