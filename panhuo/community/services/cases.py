"""典型案例 writes: draft → submitted → published, or returned with reasons (then edited and submitted again).

Who: `visibility.case_editor` writes and submits; `visibility.case_reviewer` publishes or returns (never the author).
Linked deals must be visible to the author; linked patents must be deal patents or patents the author may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from panhuo.accounts import visibility
from panhuo.accounts.models import User
from panhuo.common.audit import audit_record
from panhuo.common.errors import (
    ApplicationError,
    ErrorCollector,
    FieldErrors,
    NotFound,
    PermissionRefused,
)
from panhuo.community.models import CaseCategory, CaseState, CaseStudy
from panhuo.community.services.common import count, ref, text, yuan
from panhuo.deals.models import Deal
from panhuo.deals.selectors import deals_visible
from panhuo.patents.models import Patent
from panhuo.patents.picker import patents_resolve

EDITABLE = (CaseState.DRAFT, CaseState.RETURNED)


@dataclass(frozen=True)
class CaseInput:
    title: str
    category: str
    summary: str
    background: str = ""
    process: str = ""
    effects: str = ""
    lessons: str = ""
    contract_yuan: str = ""
    revenue_yuan: str = ""
    jobs: int | None = None
    deal_codes: str = ""  # 交易编号, one per line or separated by commas
    patents: str = ""  # 申请号 / 公开号 / title words, one per line


def _deals(actor: User, raw: str, errors: ErrorCollector) -> list[Deal]:
    codes = [c.strip() for c in raw.replace("，", ",").replace("\n", ",").split(",") if c.strip()]
    found = {d.code: d for d in deals_visible(actor).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        errors.refuse(
            "deal_codes",
            f"没有找到可见的交易：{'、'.join(missing[:5])}",
            f"unknown deals: {', '.join(missing[:5])}",
        )
    return [found[c] for c in codes if c in found]


def _patents(actor: User, raw: str, deals: list[Deal], errors: ErrorCollector) -> list[Patent]:
    """The patents named (among those the author may see), plus every patent of the linked deals."""
    named: list[Patent] = []
    if raw.strip():
        try:
            named = patents_resolve(actor, raw, scope="visible", field="patents")
        except FieldErrors as exc:
            for e in exc.errors:
                errors.refuse("patents", e.message_zh, e.message_en)
        except ApplicationError as exc:
            errors.refuse("patents", exc.message_zh, exc.message_en)
    of_deals = list(Patent.objects.filter(deal_links__deal__in=deals).order_by("pk"))
    return list(dict.fromkeys([*named, *of_deals]))


def case_validate(actor: User, data: CaseInput) -> tuple[dict[str, object], list[Deal], list[Patent]]:
    errors = ErrorCollector()
    fields: dict[str, object] = {
        "title": text(data.title, "title", "案例名称", errors, max_len=200, required=True),
        "summary": text(data.summary, "summary", "摘要", errors, max_len=2000, required=True),
        "background": text(data.background, "background", "背景", errors, max_len=8000),
        "process": text(data.process, "process", "转化过程", errors, max_len=8000),
        "effects": text(data.effects, "effects", "转化成效", errors, max_len=8000),
        "lessons": text(data.lessons, "lessons", "经验启示", errors, max_len=8000),
        "contract_fen": yuan(data.contract_yuan, "contract", "合同金额", errors),
        "revenue_fen": yuan(data.revenue_yuan, "revenue", "新增销售收入", errors),
        "jobs": count(data.jobs, "jobs", "新增就业", errors),
    }
    if data.category not in CaseCategory.values:
        errors.refuse("category", "请选择案例类型", "choose a category")
    fields["category"] = data.category
    deals = _deals(actor, data.deal_codes, errors)
    patents = _patents(actor, data.patents, deals, errors)
    errors.raise_any()
    return fields, deals, patents


def _writer(actor: User) -> int:
    org_id = actor.organization_id
    if org_id is None or not visibility.case_editor(actor, org_id):
        raise PermissionRefused(
            "只有知识产权局或高校、科研院所的管理员可以撰写典型案例", "offices and TTO staff only"
        )
    return org_id


def case_create(*, actor: User, data: CaseInput, is_demo: bool = False) -> CaseStudy:
    org_id = _writer(actor)
    fields, deals, patents = case_validate(actor, data)
    with transaction.atomic():
        case = CaseStudy.objects.create(author_org_id=org_id, created_by=actor, is_demo=is_demo, **fields)
        case.deals.set(deals)
        case.patents.set(patents)
        audit_record("case.create", actor=actor, obj=case, detail={"deals": [d.pk for d in deals]})
    return case


def _editable(actor: User, case_id: int) -> CaseStudy:
    case = CaseStudy.objects.select_for_update().filter(pk=ref(case_id)).first()
    if case is None or not visibility.case_editor(actor, case.author_org_id):
        raise NotFound("案例不存在", "case not found")
    return case


def case_update(*, actor: User, case_id: int, data: CaseInput) -> CaseStudy:
    with transaction.atomic():
        case = _editable(actor, case_id)
        if case.state not in EDITABLE:
            raise ApplicationError(
                "case_locked", "案例已提交或已发布，不能修改", "case is not editable", "state"
            )
        fields, deals, patents = case_validate(actor, data)
        for name, value in fields.items():
            setattr(case, name, value)
        case.save()
        case.deals.set(deals)
        case.patents.set(patents)
        audit_record("case.update", actor=actor, obj=case)
    return case


def case_submit(*, actor: User, case_id: int) -> CaseStudy:
    with transaction.atomic():
        case = _editable(actor, case_id)
        if case.state not in EDITABLE:
            raise ApplicationError("case_state", "只有草稿或退回的案例可以提交审核", "not a draft", "state")
        case.state, case.submitted_at = CaseState.SUBMITTED, timezone.now()
        case.save(update_fields=["state", "submitted_at", "updated_at"])
        audit_record("case.submit", actor=actor, obj=case)
    return case


def case_review(*, actor: User, case_id: int, publish: bool, reason: str = "") -> CaseStudy:
    """Publish, or return with reasons (required)."""
    with transaction.atomic():
        case = (
            CaseStudy.objects.select_for_update().select_related("author_org").filter(pk=ref(case_id)).first()
        )
        if case is None:
            raise NotFound("案例不存在", "case not found")
        if not visibility.case_reviewer(actor, author_org=case.author_org, author_id=case.created_by_id):
            raise PermissionRefused("只有本单位的其他管理员或所在地区的知识产权局可以审核", "reviewers only")
        if case.state != CaseState.SUBMITTED:
            raise ApplicationError("case_state", "只有待审核的案例可以审核", "case is not submitted", "state")
        reason = (reason or "").strip()
        errors = ErrorCollector()
        if not publish and not reason:
            errors.refuse("reason", "退回时请填写原因", "a reason is required to return a case")
        elif len(reason) > 2000:
            errors.refuse("reason", "原因不超过 2000 字", "reason too long")
        errors.raise_any()
        case.reviewed_by = actor
        if publish:
            case.state, case.published_at, case.return_reason = CaseState.PUBLISHED, timezone.now(), ""
        else:
            case.state, case.return_reason = CaseState.RETURNED, reason
        case.save()
        audit_record(
            "case.publish" if publish else "case.return",
            actor=actor,
            tenant_id=case.author_org_id,
            obj=case,
            detail={"reason": reason} if reason else {},
        )
    return case
