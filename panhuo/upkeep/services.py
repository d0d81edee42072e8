"""Writes of the holding institution on its patents after the inventory: value facts (同族、获奖、权利要求、引用、
权属纠纷) and annual-fee payments (年费缴纳 → Patent.annual_fee_paid_until).

These are the fields scoring (高价值 categories 2 and 5, family, citations, claims), the fee calendar and the
open-licence checks read. Only staff of an institution holding the patent in its inventory may write them
(another tenant's patent is "not found"); every error of a submission is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from engine.deals.money import MoneyError, parse_yuan
from engine.scoring.fees import add_years
from panhuo.accounts.acting import signed_in
from panhuo.accounts.models import Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound
from panhuo.patents.activity import activity_of, activity_set
from panhuo.patents.models import InventoryRecord, Patent
from panhuo.patents.selectors import inventory_own
from panhuo.upkeep.models import AnnualFeePayment

STAFF = (Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)
TERM_YEARS = {"invention": 20, "utility": 10, "design": 15}
MAX_COUNT = 100_000
AWARDS = ("中国专利奖", "国家科学技术奖", "国家技术发明奖", "国家科学技术进步奖", "省部级科学技术奖", "其他")


def holder_record(actor: User, patent_id: int) -> InventoryRecord:
    """The actor's institution's inventory record of this patent (the right to maintain it), else NotFound."""
    record = None
    if (signed_in(actor) and actor.role in STAFF) and 0 < patent_id < 2**63:
        record = inventory_own(actor).filter(patent_id=patent_id).select_related("patent").first()
    if record is None:
        raise NotFound("专利不存在或不属于本单位", "patent not found in your institution's inventory")
    return record


@dataclass(frozen=True)
class Facts:
    family_size: int | None
    overseas_granted: bool
    claims_count: int | None
    independent_claims_count: int | None
    citations_forward: int | None
    citations_backward: int | None
    award: str
    ownership_dispute: bool


def facts_validate(
    *,
    family_size: int | None,
    overseas_granted: bool,
    claims_count: int | None,
    independent_claims_count: int | None,
    citations_forward: int | None,
    citations_backward: int | None,
    award: str,
    ownership_dispute: bool,
) -> Facts:
    errors = ErrorCollector()
    for name, zh, value in (
        ("family_size", "同族数", family_size),
        ("claims_count", "权利要求数", claims_count),
        ("independent_claims_count", "独立权利要求数", independent_claims_count),
        ("citations_forward", "被引次数", citations_forward),
        ("citations_backward", "引用次数", citations_backward),
    ):
        if value is not None and not 0 <= value <= MAX_COUNT:
            errors.refuse(name, f"{zh}应为 0–{MAX_COUNT} 之间的整数", f"{name} must be 0-{MAX_COUNT}")
    if family_size == 0:
        errors.refuse(
            "family_size", "同族数至少为 1（本专利自身）", "a family has at least the patent itself"
        )
    if (
        claims_count is not None
        and independent_claims_count is not None
        and independent_claims_count > claims_count
    ):
        errors.refuse(
            "independent_claims_count",
            "独立权利要求数不能多于权利要求数",
            "more independent claims than claims",
        )
    if claims_count is not None and independent_claims_count == 0 and claims_count > 0:
        errors.refuse(
            "independent_claims_count",
            "有权利要求时至少有 1 项独立权利要求",
            "at least one independent claim",
        )
    if overseas_granted and family_size is not None and family_size < 2:
        errors.refuse(
            "family_size", "有海外授权同族时同族数至少为 2", "an overseas family member makes the family ≥ 2"
        )
    award = (award or "").strip()
    if len(award) > 100:
        errors.refuse("award", "获奖情况不超过 100 字", "award text too long")
    errors.raise_any()
    return Facts(
        family_size,
        overseas_granted,
        claims_count,
        independent_claims_count,
        citations_forward,
        citations_backward,
        award,
        ownership_dispute,
    )


FACT_FIELDS = (
    "family_size",
    "overseas_granted",
    "claims_count",
    "independent_claims_count",
    "citations_forward",
    "citations_backward",
    "award",
)


def facts_of(patent: Patent) -> Facts:
    return Facts(
        **{name: getattr(patent, name) for name in FACT_FIELDS},
        ownership_dispute=activity_of(patent.pk).ownership_dispute,
    )


def patent_facts_update(*, actor: User, patent: Patent, facts: Facts) -> bool:
    """Store the facts; True when anything changed (an unchanged submission writes and audits nothing)."""
    record = holder_record(actor, patent.pk)
    before = facts_of(record.patent)
    if before == facts:
        return False
    with transaction.atomic():
        changed = {
            name: getattr(facts, name)
            for name in FACT_FIELDS
            if getattr(before, name) != getattr(facts, name)
        }
        if changed:
            Patent.objects.filter(pk=patent.pk).update(**changed, updated_at=timezone.now())
        if before.ownership_dispute != facts.ownership_dispute:
            activity_set(patent_id=patent.pk, ownership_dispute=facts.ownership_dispute)
        audit_record(
            "patent.facts_update",
            actor=actor,
            tenant_id=record.organization_id,
            obj=patent,
            detail={
                "changed": sorted(changed)
                + (["ownership_dispute"] if before.ownership_dispute != facts.ownership_dispute else []),
            },
        )
    patent.refresh_from_db()
    return True


def paid_until_of(application_date: date, patent_year: int) -> date:
    """The fee of patent year N covers until the day before the N-th filing anniversary."""
    return add_years(application_date, patent_year) - timedelta(days=1)


def annual_fee_record(
    *, actor: User, patent: Patent, patent_year: int | None, paid_on: date | None, amount_yuan: str
) -> AnnualFeePayment:
    """Record one year's fee; Patent.annual_fee_paid_until moves to the latest year paid (never back)."""
    record = holder_record(actor, patent.pk)
    p = record.patent
    errors = ErrorCollector()
    term = TERM_YEARS.get(p.patent_type, 20)
    if p.application_date is None:
        errors.refuse("patent", "该专利缺少申请日，无法计算缴费年度", "the patent has no filing date")
    if patent_year is None or not 1 <= patent_year <= term:
        errors.refuse("patent_year", f"年度应为 1–{term}（第 N 年）", f"patent year must be 1-{term}")
    if paid_on is None:
        errors.refuse("paid_on", "请填写缴费日期", "the payment date is required")
    elif paid_on > timezone.localdate():
        errors.refuse("paid_on", "缴费日期不能晚于今天", "the payment date is in the future")
    elif p.application_date is not None and paid_on < p.application_date:
        errors.refuse("paid_on", "缴费日期不能早于申请日", "paid before the filing date")
    amount = 0
    try:
        amount = parse_yuan(amount_yuan)
    except MoneyError as exc:
        errors.refuse("amount", exc.message_zh, exc.message_en)
    errors.raise_any()
    assert p.application_date is not None and patent_year is not None and paid_on is not None
    until = paid_until_of(p.application_date, patent_year)
    try:
        with transaction.atomic():
            payment = AnnualFeePayment.objects.create(
                patent=p,
                organization_id=record.organization_id,
                paid_on=paid_on,
                patent_year=patent_year,
                amount_fen=amount,
                paid_until=until,
                recorded_by=actor,
            )
            if p.annual_fee_paid_until is None or until > p.annual_fee_paid_until:
                Patent.objects.filter(pk=p.pk).update(annual_fee_paid_until=until, updated_at=timezone.now())
            audit_record(
                "patent.annual_fee",
                actor=actor,
                tenant_id=record.organization_id,
                obj=p,
                detail={"year": patent_year, "amount_fen": amount, "paid_until": until.isoformat()},
            )
    except IntegrityError:
        raise ApplicationError(
            "fee_year_recorded",
            f"第 {patent_year} 年度的年费已登记",
            "this year's fee is recorded already",
            "patent_year",
        ) from None
    patent.refresh_from_db()
    return payment
