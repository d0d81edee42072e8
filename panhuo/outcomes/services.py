"""Writes: a party of a deal reports (or corrects) one year's industrialisation results.

Who: users of the deal's enterprise side (受让人, 被许可人, 被投资企业, 实施单位) and staff of the deal's institution.
The deal must be signed or later; the year runs from the contract year to the current one. Every error at once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from panhuo.accounts.models import Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ErrorCollector, PermissionRefused
from panhuo.deals.models import CONTRACT_STATES, Deal, DealParty, PartyRole
from panhuo.deals.selectors import deal_get
from panhuo.outcomes.models import DealOutcome

ENTERPRISE_SIDE = (PartyRole.ASSIGNEE, PartyRole.LICENSEE, PartyRole.COMPANY, PartyRole.IMPLEMENTER)
STAFF = (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)
MAX_COUNT = 10_000_000


def may_report(user: User, deal: Deal) -> bool:
    role = user.role
    if user.organization_id is None:
        return False
    if role in STAFF:
        return deal.institution_id == user.organization_id
    if role == Role.ENTERPRISE_USER:
        return DealParty.objects.filter(
            deal=deal, organization_id=user.organization_id, role__in=ENTERPRISE_SIDE
        ).exists()
    return False


def reportable_deal(user: User, deal_id: int) -> Deal:
    """The deal if this user may report its results (visible: else NotFound; not a reporter: refused)."""
    deal = deal_get(user, deal_id)
    if not may_report(user, deal):
        raise PermissionRefused("只有交易的企业方或本单位管理员可以填报产业化成效", "deal parties only")
    return deal


def _amount(raw: str, field: str, zh: str, errors: ErrorCollector) -> int:
    if not (raw or "").strip():
        return 0
    try:
        return parse_yuan(raw)
    except MoneyError as exc:
        errors.refuse(field, f"{zh}：{exc.message_zh}", exc.message_en)
        return 0


def outcome_report(
    *,
    actor: User,
    deal_id: int,
    year: int | None,
    revenue_yuan: str = "",
    output_yuan: str = "",
    jobs: int | None = None,
    new_products: int | None = None,
    notes: str = "",
    is_demo: bool = False,
) -> tuple[DealOutcome, bool]:
    """Report one year (insert, or correct the year reported before); returns (outcome, created)."""
    deal = reportable_deal(actor, deal_id)
    errors = ErrorCollector()
    today = timezone.localdate()
    if deal.state not in CONTRACT_STATES:
        errors.refuse("deal", "交易签约后才能填报产业化成效", "only a signed deal has results")
    first = deal.contract_date.year if deal.contract_date else 1985
    if year is None or not first <= year <= today.year:
        errors.refuse("year", f"年度应在 {first}–{today.year} 之间", f"year must be {first}-{today.year}")
    revenue = _amount(revenue_yuan, "revenue", "销售收入", errors)
    output = _amount(output_yuan, "output", "产值", errors)
    for name, zh, value in (("jobs", "新增就业", jobs), ("new_products", "新产品", new_products)):
        if value is not None and not 0 <= value <= MAX_COUNT:
            errors.refuse(name, f"{zh}应为 0–{MAX_COUNT} 之间的整数", f"{name} out of range")
    if not (revenue or output or jobs or new_products or notes.strip()):
        errors.refuse("revenue", "请至少填写一项成效", "report at least one figure")
    errors.raise_any()
    assert year is not None
    if actor.organization_id is None:
        raise PermissionRefused()
    with transaction.atomic():
        outcome, created = DealOutcome.objects.select_for_update().get_or_create(
            deal=deal, year=year, defaults={"reporter_id": actor.organization_id}
        )
        before = (outcome.revenue_fen, outcome.output_fen, outcome.jobs, outcome.new_products)
        outcome.revenue_fen, outcome.output_fen = revenue, output
        outcome.jobs, outcome.new_products = jobs or 0, new_products or 0
        outcome.notes = notes.strip()[:4000]
        outcome.reported_by, outcome.reporter_id = actor, actor.organization_id
        outcome.is_demo = outcome.is_demo or is_demo
        outcome.save()
        audit_record(
            "outcome.report",
            actor=actor,
            tenant_id=deal.institution_id,
            obj=outcome,
            detail={"deal": deal.pk, "year": year, "created": created, "before": None if created else before},
        )
    return outcome, created
