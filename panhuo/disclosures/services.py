"""Writes: disclosures (inventors), 申请前评估 (TTO staff) and the filing with its 申请号.

Every service checks the actor against `visibility` (another tenant's disclosure is "not found"), validates all
fields at once (`FieldErrors`, one refusal per field), owns its transaction
and records an audit event.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from engine.identifiers.application_number import (
    NumberError,
    application_number_type,
    normalise_application_number,
)
from panhuo.accounts.models import Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound, PermissionRefused
from panhuo.disclosures.models import (
    DECISION_PATENT_TYPE,
    FILING_DECISIONS,
    Decision,
    Disclosure,
    DisclosureInventor,
    DisclosureState,
    Filing,
    FundingSource,
    PreFilingEvaluation,
)
from panhuo.disclosures.visibility import disclosures_visible, is_staff_of
from panhuo.matching.selectors import patents_for_text
from panhuo.patents.applications import NewApplication, application_register

AUTHOR_ROLES = (Role.INVENTOR, Role.COLLEGE_ADMIN, Role.INSTITUTION_ADMIN)
SIMILAR_TOP_K = 10
_PROJECT_NO = re.compile(r"^[0-9A-Za-z\-_/()（）]{2,40}$")


@dataclass(frozen=True)
class InventorShare:
    name: str
    share_percent: str  # "60" or "33.33": a percentage with at most two decimals


@dataclass(frozen=True)
class DisclosureContent:
    """What an inventor writes in a 技术交底 (the form, the API and the demo build one)."""

    title: str
    field: str
    problem: str
    solution: str
    funding_source: str
    inventors: Sequence[InventorShare]
    advantages: str = ""
    prior_art: str = ""
    funding_projects: Sequence[str] = ()
    planned_publication_on: date | None = None
    planned_publication: str = ""


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def _share_bp(raw: str) -> int | None:
    text = unicodedata.normalize("NFKC", str(raw)).strip().rstrip("%")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    bp = value * 100
    if bp != bp.to_integral_value() or bp <= 0:
        return None
    return int(bp)


def _validate_disclosure(content: DisclosureContent) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    c = content
    title, field, problem, solution = c.title, c.field, c.problem, c.solution
    advantages, prior_art, funding_source = c.advantages, c.prior_art, c.funding_source
    funding_projects, inventors = c.funding_projects, c.inventors
    planned_publication_on, planned_publication = c.planned_publication_on, c.planned_publication
    errors = ErrorCollector()
    values: dict[str, Any] = {
        "title": _text(title),
        "field": _text(field),
        "problem": _text(problem),
        "solution": _text(solution),
        "advantages": _text(advantages),
        "prior_art": _text(prior_art),
        "planned_publication": _text(planned_publication),
        "planned_publication_on": planned_publication_on,
        "funding_source": funding_source,
    }
    for name, zh, limit in (
        ("title", "发明名称", 200),
        ("field", "技术领域", 200),
        ("problem", "要解决的技术问题", 20000),
        ("solution", "技术方案", 50000),
    ):
        if not values[name]:
            errors.refuse(name, f"{zh}必填", f"{name} is required")
        elif len(values[name]) > limit:
            errors.refuse(name, f"{zh}不超过 {limit} 字", f"{name} is longer than {limit} characters")
    if len(values["planned_publication"]) > 200:
        errors.refuse("planned_publication", "计划公开方式不超过 200 字", "planned_publication too long")
    if funding_source not in FundingSource.values:
        errors.refuse("funding_source", "请选择经费来源", "choose a funding source")
    projects = [_text(p) for p in funding_projects if _text(p)]
    bad = [p for p in projects if not _PROJECT_NO.match(p)]
    if bad:
        errors.refuse(
            "funding_projects",
            f"项目编号格式不正确：{'、'.join(bad[:3])}",
            f"malformed project numbers: {', '.join(bad[:3])}",
        )
    if funding_source == FundingSource.FISCAL and not projects:
        errors.refuse(
            "funding_projects",
            "财政资助项目须填写项目编号",
            "a fiscally funded disclosure needs its project numbers",
        )
    values["funding_projects"] = projects if funding_source == FundingSource.FISCAL else []
    shares: list[tuple[str, int]] = []
    if not inventors:
        errors.refuse("inventors", "至少填写一名发明人", "name at least one inventor")
    for i, inv in enumerate(inventors, start=1):
        name = _text(inv.name)
        bp = _share_bp(inv.share_percent)
        if not name or len(name) > 100:
            errors.refuse(
                "inventors", f"第 {i} 名发明人姓名为空或过长", f"inventor {i}: name empty or too long"
            )
        if bp is None:
            errors.refuse(
                "inventors",
                f"第 {i} 名发明人贡献比例不正确：{inv.share_percent}（应为大于 0 的百分数，最多两位小数）",
                f"inventor {i}: share {inv.share_percent!r} must be a positive percentage, two decimals",
            )
        shares.append((name, bp or 0))
    if inventors and all(bp for _, bp in shares) and sum(bp for _, bp in shares) != 10000:
        total = sum(bp for _, bp in shares) / 100
        errors.refuse(
            "inventors",
            f"发明人贡献比例合计应为 100%，现为 {total:g}%",
            f"inventor shares must add up to 100%, not {total:g}%",
        )
    names = [n for n, _ in shares if n]
    if len(set(names)) != len(names):
        errors.refuse("inventors", "发明人姓名重复", "an inventor is listed twice")
    errors.raise_any()
    return values, shares


def _save_inventors(actor: User, disclosure: Disclosure, shares: list[tuple[str, int]]) -> None:
    disclosure.inventors.all().delete()
    me = actor.name if actor.role == Role.INVENTOR else None
    DisclosureInventor.objects.bulk_create(
        DisclosureInventor(
            disclosure=disclosure,
            name=name,
            share_bp=bp,
            position=i,
            user=actor if name == me else None,
        )
        for i, (name, bp) in enumerate(shares)
    )


def _author_org(actor: User) -> Any:
    org = getattr(actor, "organization", None)
    if org is None or not org.holds_patents or actor.role not in AUTHOR_ROLES:
        raise PermissionRefused("只有高校院所的发明人或管理员可以提交技术交底", "institution members only")
    return org


def disclosure_create(
    *, actor: User, content: DisclosureContent, submit: bool = False, is_demo: bool = False
) -> Disclosure:
    org = _author_org(actor)
    values, shares = _validate_disclosure(content)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            institution=org,
            college=actor.college,
            submitted_by=actor,
            state=DisclosureState.SUBMITTED if submit else DisclosureState.DRAFT,
            submitted_at=timezone.now() if submit else None,
            is_demo=is_demo,
            **values,
        )
        _save_inventors(actor, disclosure, shares)
        audit_record(
            "disclosure.create",
            actor=actor,
            tenant_id=org.pk,
            obj=disclosure,
            detail={"state": disclosure.state},
        )
    return disclosure


def _lock_visible(actor: User, disclosure: Disclosure) -> Disclosure:
    locked = disclosures_visible(actor).select_for_update().filter(pk=disclosure.pk).first()
    if locked is None:
        raise NotFound("技术交底不存在", "disclosure not found")
    return locked


def _own_draft(actor: User, locked: Disclosure) -> None:
    if locked.submitted_by_id != actor.pk:
        raise PermissionRefused("只有提交人可以修改技术交底", "only the author may edit the disclosure")
    if locked.state != DisclosureState.DRAFT:
        raise ApplicationError(
            "disclosure_state", "只有草稿可以修改或提交", "only a draft can be edited or submitted", "state"
        )


def disclosure_update(*, actor: User, disclosure: Disclosure, content: DisclosureContent) -> Disclosure:
    with transaction.atomic():
        locked = _lock_visible(actor, disclosure)
        _own_draft(actor, locked)
        values, shares = _validate_disclosure(content)
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        _save_inventors(actor, locked, shares)
        audit_record("disclosure.update", actor=actor, tenant_id=locked.institution_id, obj=locked)
    return locked


def disclosure_submit(*, actor: User, disclosure: Disclosure) -> Disclosure:
    with transaction.atomic():
        locked = _lock_visible(actor, disclosure)
        _own_draft(actor, locked)
        locked.state, locked.submitted_at = DisclosureState.SUBMITTED, timezone.now()
        locked.save(update_fields=["state", "submitted_at", "updated_at"])
        audit_record("disclosure.submit", actor=actor, tenant_id=locked.institution_id, obj=locked)
    return locked


def _lock_for_staff(actor: User, disclosure: Disclosure, *, states: Sequence[str]) -> Disclosure:
    locked = _lock_visible(actor, disclosure)
    if not is_staff_of(actor, locked):
        raise PermissionRefused("只有本单位的管理员可以评估技术交底", "institution staff only")
    if locked.state not in states:
        labels = "、".join(DisclosureState(s).label for s in states)
        raise ApplicationError(
            "disclosure_state",
            f"当前状态为{locked.get_state_display()}，只有{labels}的技术交底可以办理",
            f"the disclosure is {locked.state}; allowed in: {', '.join(states)}",
            "state",
        )
    return locked


def search_text(disclosure: Disclosure) -> str:
    """What the novelty search asks the matching app: the disclosure's own words, most specific first."""
    parts = [
        disclosure.title,
        disclosure.field,
        disclosure.problem,
        disclosure.solution,
        disclosure.advantages,
    ]
    return "\n".join(p for p in parts if p)


def evaluation_search_similar(*, actor: User, disclosure: Disclosure) -> PreFilingEvaluation:
    """Ask Panhuo's matching for the patents closest to the disclosure and keep them (with similarity) as found."""
    with transaction.atomic():
        locked = _lock_for_staff(
            actor, disclosure, states=(DisclosureState.SUBMITTED, DisclosureState.DECIDED)
        )
        matches = patents_for_text(actor, search_text(locked), top_k=SIMILAR_TOP_K)
        found = [
            {
                "patent_id": m.patent.pk,
                "key": m.patent.key,
                "title": m.patent.title,
                "similarity": round(float(m.hit.score), 4),
                "terms": list(m.hit.matched_terms)[:8],
            }
            for m in matches
        ]
        evaluation, _ = PreFilingEvaluation.objects.get_or_create(disclosure=locked)
        evaluation.similar_patents = found
        evaluation.searched_at = timezone.now()
        evaluation.save(update_fields=["similar_patents", "searched_at", "updated_at"])
        audit_record(
            "disclosure.search_similar",
            actor=actor,
            tenant_id=locked.institution_id,
            obj=locked,
            detail={"found": len(found)},
        )
    return evaluation


def evaluation_decide(
    *,
    actor: User,
    disclosure: Disclosure,
    decision: str,
    reasons: str,
    deadline: date | None,
    novelty_notes: str = "",
    market_prospects: str = "",
    industrialisation_prospects: str = "",
) -> PreFilingEvaluation:
    """Record (or revise, until filed) the 申请前评估 and its decision; the disclosure becomes 已决定."""
    with transaction.atomic():
        locked = _lock_for_staff(
            actor, disclosure, states=(DisclosureState.SUBMITTED, DisclosureState.DECIDED)
        )
        errors = ErrorCollector()
        reasons, novelty_notes = _text(reasons), _text(novelty_notes)
        if decision not in Decision.values:
            errors.refuse("decision", "请选择评估结论", "choose a decision")
        if not reasons:
            errors.refuse("reasons", "请填写决定理由", "give the reasons for the decision")
        if decision in FILING_DECISIONS and not novelty_notes:
            errors.refuse(
                "novelty_notes", "决定申请专利时须填写新颖性检索意见", "a filing decision needs novelty notes"
            )
        if decision in (*FILING_DECISIONS, Decision.ASSIGN_INVENTORS) and deadline is None:
            errors.refuse("deadline", "请填写办理期限", "a deadline is required for this decision")
        if deadline is not None and deadline < timezone.localdate():
            errors.refuse("deadline", "办理期限不能早于今天", "the deadline is in the past")
        errors.raise_any()
        evaluation, _ = PreFilingEvaluation.objects.get_or_create(disclosure=locked)
        before = evaluation.decision
        evaluation.evaluator = actor
        evaluation.novelty_notes = novelty_notes
        evaluation.market_prospects = _text(market_prospects)
        evaluation.industrialisation_prospects = _text(industrialisation_prospects)
        evaluation.decision = decision
        evaluation.reasons = reasons
        evaluation.deadline = deadline
        evaluation.decided_at = timezone.now()
        evaluation.save()
        locked.state = DisclosureState.DECIDED
        locked.save(update_fields=["state", "updated_at"])
        audit_record(
            "disclosure.decide",
            actor=actor,
            tenant_id=locked.institution_id,
            obj=locked,
            detail={"decision": decision, "before": before, "deadline": deadline},
        )
    return evaluation


def _canonical_app_no(raw: str, decision: str) -> str:
    try:
        app_no = normalise_application_number(raw)
    except NumberError as exc:
        raise ApplicationError(exc.code, exc.message_zh, exc.message_en, "app_no") from None
    wanted = DECISION_PATENT_TYPE.get(Decision(decision))
    if application_number_type(app_no) != wanted:
        raise ApplicationError(
            "app_no_type",
            f"申请号的类型与评估结论（{Decision(decision).label}）不一致",
            f"the application number is not of the decided type ({wanted})",
            "app_no",
        )
    return app_no


def _link(actor: User, locked: Disclosure, filing: Filing, app_no: str) -> None:
    decision = locked.evaluation.decision
    inventors = list(locked.inventors.values_list("name", flat=True))
    record = application_register(
        actor=actor,
        organization=locked.institution,
        college=locked.college,
        application=NewApplication(
            app_no=app_no,
            patent_type=DECISION_PATENT_TYPE[Decision(decision)],
            title=locked.title,
            abstract=f"{locked.problem}\n{locked.solution}"[:5000],
            inventors=inventors,
            application_date=filing.filed_on,
            fiscal_funded=locked.fiscal_funded,
        ),
    )
    filing.app_no, filing.patent_id, filing.inventory_record = app_no, record.patent_id, record
    filing.save(update_fields=["app_no", "patent", "inventory_record", "updated_at"])


def filing_record(
    *, actor: User, disclosure: Disclosure, filed_on: date | None, agency: str = "", app_no: str = ""
) -> Filing:
    """The application was filed (申请日, agency; the 申请号 now or later through `filing_link`)."""
    with transaction.atomic():
        locked = _lock_for_staff(actor, disclosure, states=(DisclosureState.DECIDED,))
        errors = ErrorCollector()
        if filed_on is None:
            errors.refuse("filed_on", "请填写申请日", "the filing date is required")
        elif filed_on > timezone.localdate():
            errors.refuse("filed_on", "申请日不能晚于今天", "the filing date is in the future")
        elif locked.submitted_at and filed_on < timezone.localtime(locked.submitted_at).date():
            errors.refuse("filed_on", "申请日不能早于交底提交日", "filed before it was disclosed")
        if len(_text(agency)) > 200:
            errors.refuse("agency", "代理机构名称不超过 200 字", "agency name too long")
        errors.raise_any()
        assert filed_on is not None
        evaluation = locked.evaluation
        if not evaluation.leads_to_filing:
            raise ApplicationError(
                "not_for_filing",
                f"评估结论为{evaluation.get_decision_display()}，不能登记专利申请",
                "the decision was not to file",
                "decision",
            )
        canonical = _canonical_app_no(app_no, evaluation.decision) if _text(app_no) else ""
        filing = Filing.objects.create(
            disclosure=locked, filed_on=filed_on, agency=_text(agency), recorded_by=actor
        )
        if canonical:
            _ensure_unused(canonical)
            _link(actor, locked, filing, canonical)
        locked.state = DisclosureState.FILED
        locked.save(update_fields=["state", "updated_at"])
        audit_record(
            "disclosure.file",
            actor=actor,
            tenant_id=locked.institution_id,
            obj=locked,
            detail={"filed_on": filed_on, "app_no": canonical},
        )
    return filing


def _ensure_unused(app_no: str) -> None:
    if Filing.objects.filter(app_no=app_no).exists():
        raise ApplicationError(
            "app_no_used",
            "该申请号已关联到另一份技术交底",
            "the application number is linked already",
            "app_no",
        )


def filing_link(*, actor: User, disclosure: Disclosure, app_no: str) -> Filing:
    """Attach the 申请号 once known: the patent and its 基础库 record appear from the disclosure's data."""
    with transaction.atomic():
        locked = _lock_for_staff(actor, disclosure, states=(DisclosureState.FILED,))
        filing = Filing.objects.select_for_update().get(disclosure=locked)
        if filing.app_no:
            raise ApplicationError(
                "app_no_set", "申请号已登记，不能更改", "the application number is recorded already", "app_no"
            )
        canonical = _canonical_app_no(app_no, locked.evaluation.decision)
        _ensure_unused(canonical)
        _link(actor, locked, filing, canonical)
        audit_record(
            "disclosure.link",
            actor=actor,
            tenant_id=locked.institution_id,
            obj=locked,
            detail={"app_no": canonical},
        )
    return filing
