"""Shared pieces of the deal services: settings, permission checks, patent-binding queries, activity updates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from engine.deals.open_licence import FeeCaps
from panhuo.accounts.models import INSTITUTION_STAFF, User
from panhuo.accounts.visibility import require_institution_staff  # noqa: F401 - the deal services import it here
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import (
    BINDING_STATES,
    CONTRACT_STATES,
    EXCLUSIVE_TYPES,
    Deal,
    DealKind,
    DealPatent,
    IncomeRule,
    OpenLicenceDeclaration,
)
from panhuo.patents.activity import activity_bump, activity_of, activity_set, inventory_mark_converted

# Defaults, overridable in settings (documented in docs/deals.md) and per institution (IncomeRule).
DEFAULT_APPROVAL_THRESHOLD_FEN = 1_000_000 * 100  # ¥1,000,000
DEFAULT_INCOME_BP = (3000, 7000, 0)  # institution, inventor team, service team
FAR_FUTURE = date(2099, 12, 31)


def today() -> date:
    return timezone.localdate()


def fee_caps() -> FeeCaps:
    return FeeCaps(
        fixed_fee_max_fen=int(getattr(settings, "PANHUO_OPEN_LICENCE_FIXED_FEE_MAX_FEN", 20_000_000 * 100)),
        royalty_sales_max_bp=int(getattr(settings, "PANHUO_OPEN_LICENCE_ROYALTY_SALES_MAX_BP", 2000)),
        royalty_profit_max_bp=int(getattr(settings, "PANHUO_OPEN_LICENCE_ROYALTY_PROFIT_MAX_BP", 4000)),
    )


def approval_threshold_fen(institution_id: int) -> int:
    rule = IncomeRule.objects.filter(organization_id=institution_id).first()
    if rule is not None and rule.approval_threshold_fen is not None:
        return rule.approval_threshold_fen
    return int(getattr(settings, "PANHUO_DEAL_APPROVAL_THRESHOLD_FEN", DEFAULT_APPROVAL_THRESHOLD_FEN))


def deal_for_staff(deal_id: int, actor: User, *, lock: bool = False) -> Deal:
    """The deal, if the actor is staff of its institution; another tenant's deal is 'not found'."""
    qs = Deal.objects.select_for_update() if lock else Deal.objects.all()
    deal = qs.filter(pk=deal_id).first()
    if deal is None or deal.institution_id != actor.organization_id:
        raise NotFound("交易不存在", "deal not found")
    if actor.role not in INSTITUTION_STAFF:
        raise PermissionRefused()
    return deal


def refuse(code: str, zh: str, en: str, field: str | None = None, **extra: Any) -> ApplicationError:
    return ApplicationError(code, zh, en, field, extra=dict(extra))


def exclusive_in_term(
    patent_ids: Iterable[int], *, on: date, exclude_deal_id: int | None = None
) -> Deal | None:
    """An exclusive or sole licence on any of these patents whose contract exists and whose term is not over."""
    qs = Deal.objects.filter(
        kind__in=(DealKind.LICENCE, DealKind.OPEN_LICENCE),
        licence_type__in=EXCLUSIVE_TYPES,
        state__in=CONTRACT_STATES,
        deal_patents__patent_id__in=list(patent_ids),
    ).filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
    if exclude_deal_id is not None:
        qs = qs.exclude(pk=exclude_deal_id)
    return qs.first()


def pledges_without_consent(patent_ids: Iterable[int], *, kind: str, on: date) -> dict[int, Deal]:
    """Patent id -> a pledge binding it on `on` whose pledgee has not agreed to a deal of `kind`.

    民法典第四百四十四条: once a patent is pledged the pledgor neither transfers nor licenses it unless the
    pledgee agrees; the agreement is recorded on the pledge deal (质押合同's clause on transfer and licensing
    during the pledge). An accepted 开放许可 is licensed under the declaration, which needed the pledgee's
    agreement to the open licence (实施细则第八十六条): that is the agreement it needs.
    """
    consent = (
        "deal__pledgee_consents_open_licence"
        if kind == DealKind.OPEN_LICENCE
        else "deal__pledgee_consents_transfer_licence"
    )
    rows = (
        DealPatent.objects.filter(
            patent_id__in=list(patent_ids),
            deal__kind=DealKind.PLEDGE,
            deal__state__in=BINDING_STATES,
            **{consent: False},
        )
        .filter(Q(deal__term_end__isnull=True) | Q(deal__term_end__gte=on))
        .select_related("deal")
        .order_by("patent_id", "deal_id")
    )
    out: dict[int, Deal] = {}
    for row in rows:
        out.setdefault(row.patent_id, row.deal)
    return out


def active_open_licence(patent_ids: Iterable[int]) -> OpenLicenceDeclaration | None:
    return OpenLicenceDeclaration.objects.filter(
        patent_id__in=list(patent_ids), withdrawn_at__isnull=True
    ).first()


def refresh_exclusive_until(patent_id: int) -> None:
    """PatentActivity.exclusive_licence_until = the latest term end of exclusive/sole licences still binding."""
    on = today()
    qs = Deal.objects.filter(
        kind__in=(DealKind.LICENCE, DealKind.OPEN_LICENCE),
        licence_type__in=EXCLUSIVE_TYPES,
        state__in=CONTRACT_STATES,
        deal_patents__patent_id=patent_id,
    ).filter(Q(term_end__isnull=True) | Q(term_end__gte=on))
    if not qs.exists():
        activity_set(patent_id=patent_id, exclusive_licence_until=None)
        return
    until = FAR_FUTURE if qs.filter(term_end__isnull=True).exists() else qs.aggregate(m=Max("term_end"))["m"]
    activity_set(patent_id=patent_id, exclusive_licence_until=until)


def apply_activity(deal: Deal, actor: User | None) -> None:
    """Once a contract exists, count it on each patent (licences, pledges, equity, implementation)."""
    if deal.activity_applied:
        return
    for patent_id in deal.deal_patents.values_list("patent_id", flat=True):
        if deal.kind in (DealKind.LICENCE, DealKind.OPEN_LICENCE):
            activity_bump(patent_id=patent_id, licences=1)
            if deal.is_exclusive:
                refresh_exclusive_until(patent_id)
            inventory_mark_converted(patent_id=patent_id, organization_id=deal.institution_id, actor=actor)
        elif deal.kind == DealKind.PLEDGE:
            activity_bump(patent_id=patent_id, pledges=1)
            current = activity_of(patent_id).max_pledge_fen
            if deal.contract_amount_fen > current:
                activity_set(patent_id=patent_id, max_pledge_fen=deal.contract_amount_fen)
        elif deal.kind == DealKind.EQUITY:
            activity_bump(patent_id=patent_id, equity_deals=1)
            inventory_mark_converted(patent_id=patent_id, organization_id=deal.institution_id, actor=actor)
        elif deal.kind == DealKind.SELF_IMPLEMENTATION:
            activity_set(patent_id=patent_id, implemented=True)
            inventory_mark_converted(patent_id=patent_id, organization_id=deal.institution_id, actor=actor)
    Deal.objects.filter(pk=deal.pk).update(activity_applied=True)
    deal.activity_applied = True
