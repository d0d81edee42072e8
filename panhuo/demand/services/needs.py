"""技术需求: enterprises post needs; institution staff answer them (the answer time is the response time)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound, PermissionRefused
from panhuo.demand.models import Need, NeedAnswer, NeedStatus
from panhuo.demand.services import checks
from panhuo.patents.activity import activity_bump
from panhuo.patents.models import InventoryRecord, InventoryState, Patent


def need_check(
    *,
    title: str,
    description: str,
    industry_code: str,
    ipc_hints: list[str],
    budget_min_fen: int | None,
    budget_max_fen: int | None,
    wanted_mode: str,
    deadline: date | None,
) -> dict[str, Any]:
    """The need's field rules, writing nothing: the cleaned values, or FieldErrors with every problem at once.

    Forms call it too when another part of the input already failed, so that one submit shows every error.
    """
    title, description = title.strip(), description.strip()
    errors = ErrorCollector()  # every problem at once, each on its field
    if not title:
        errors.add(ApplicationError("required", "需求名称必填", "title is required", "title"))
    if len(title) > 200:
        errors.add(ApplicationError("too_long", "需求名称不超过 200 字", "title too long", "title"))
    if not description:
        errors.add(ApplicationError("required", "需求描述必填", "description is required", "description"))
    for field, value in (("budget_min_fen", budget_min_fen), ("budget_max_fen", budget_max_fen)):
        if value is not None and value < 0:
            errors.add(ApplicationError("budget", "预算不能为负数", "budget must not be negative", field))
    if budget_min_fen is not None and budget_max_fen is not None and budget_min_fen > budget_max_fen:
        errors.add(
            ApplicationError(
                "budget_range", "预算下限不能高于上限", "budget minimum exceeds maximum", "budget_min_fen"
            )
        )
    if deadline is not None and deadline < timezone.localdate():
        errors.add(
            ApplicationError("deadline", "截止日期不能早于今天", "deadline is in the past", "deadline")
        )
    ind_code = ind_name = ""
    with errors.capture():
        ind_code, ind_name = checks.industry(industry_code)
    ipc: list[str] = []
    with errors.capture():
        ipc = checks.ipc_list(ipc_hints)
    mode = ""
    with errors.capture():
        mode = checks.mode(wanted_mode)
    errors.raise_any()
    return {
        "title": title,
        "description": description,
        "industry_code": ind_code,
        "industry_name": ind_name,
        "ipc_hints": ipc,
        "budget_min_fen": budget_min_fen,
        "budget_max_fen": budget_max_fen,
        "wanted_mode": mode,
        "deadline": deadline,
    }


def _named_patents(patent_ids: list[int]) -> list[Patent]:
    ids = sorted(set(patent_ids))
    pooled = set(
        InventoryRecord.objects.filter(patent_id__in=ids, state=InventoryState.POOLED).values_list(
            "patent_id", flat=True
        )
    )
    missing = [i for i in ids if i not in pooled]
    if missing:
        raise ApplicationError(
            "not_pooled", "需求只能关联转化资源库中的专利", "only pooled patents can be named", "patents"
        )
    return list(Patent.objects.filter(pk__in=ids))


def _own_need(actor: User, need: Need) -> None:
    org = checks.require_enterprise_user(actor)
    if need.enterprise_id != org.pk:
        raise NotFound()


def need_create(
    *,
    actor: User,
    title: str,
    description: str,
    wanted_mode: str,
    industry_code: str = "",
    ipc_hints: list[str] | None = None,
    budget_min_fen: int | None = None,
    budget_max_fen: int | None = None,
    deadline: date | None = None,
    patent_ids: list[int] | None = None,
    publish: bool = True,
    is_demo: bool = False,
) -> Need:
    org = checks.require_enterprise_user(actor)
    values = need_check(
        title=title,
        description=description,
        industry_code=industry_code,
        ipc_hints=ipc_hints or [],
        budget_min_fen=budget_min_fen,
        budget_max_fen=budget_max_fen,
        wanted_mode=wanted_mode,
        deadline=deadline,
    )
    patents = _named_patents(patent_ids or [])
    with transaction.atomic():
        need = Need.objects.create(
            enterprise=org,
            created_by=actor,
            status=NeedStatus.OPEN if publish else NeedStatus.DRAFT,
            published_at=timezone.now() if publish else None,
            is_demo=is_demo,
            **values,
        )
        if patents:
            need.patents.set(patents)
            for p in patents:
                activity_bump(patent_id=p.pk, matching_needs=1)
        audit_record(
            "need.create",
            actor=actor,
            obj=need,
            detail={"status": need.status, "patents": [p.pk for p in patents]},
        )
    return need


def need_update(
    *,
    actor: User,
    need: Need,
    title: str,
    description: str,
    wanted_mode: str,
    industry_code: str = "",
    ipc_hints: list[str] | None = None,
    budget_min_fen: int | None = None,
    budget_max_fen: int | None = None,
    deadline: date | None = None,
    patent_ids: list[int] | None = None,
) -> Need:
    _own_need(actor, need)
    if need.status == NeedStatus.CLOSED:
        raise ApplicationError(
            "need_closed", "已关闭的需求不能修改", "a closed need cannot be edited", "status"
        )
    values = need_check(
        title=title,
        description=description,
        industry_code=industry_code,
        ipc_hints=ipc_hints or [],
        budget_min_fen=budget_min_fen,
        budget_max_fen=budget_max_fen,
        wanted_mode=wanted_mode,
        deadline=deadline,
    )
    patents = _named_patents(patent_ids or [])
    with transaction.atomic():
        for key, value in values.items():
            setattr(need, key, value)
        need.save()
        before = set(need.patents.values_list("pk", flat=True))
        after = {p.pk for p in patents}
        need.patents.set(patents)
        for pid in after - before:
            activity_bump(patent_id=pid, matching_needs=1)
        for pid in before - after:
            activity_bump(patent_id=pid, matching_needs=-1)
        audit_record("need.update", actor=actor, obj=need, detail={"patents": sorted(after)})
    return need


def need_publish(*, actor: User, need: Need) -> Need:
    _own_need(actor, need)
    if need.status != NeedStatus.DRAFT:
        raise ApplicationError("need_state", "只有草稿可以发布", "only a draft can be published", "status")
    with transaction.atomic():
        need.status, need.published_at = NeedStatus.OPEN, timezone.now()
        need.save(update_fields=["status", "published_at", "updated_at"])
        audit_record("need.publish", actor=actor, obj=need)
    return need


def need_close(*, actor: User, need: Need) -> Need:
    _own_need(actor, need)
    if need.status == NeedStatus.CLOSED:
        return need
    with transaction.atomic():
        need.status, need.closed_at = NeedStatus.CLOSED, timezone.now()
        need.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record("need.close", actor=actor, obj=need)
    return need


def need_answer(
    *, actor: User, need: Need, text: str, patent_ids: list[int] | None = None, answered_at: Any = None
) -> NeedAnswer:
    """An institution answers (or amends its answer); the first answer time is kept as the response time."""
    org = checks.require_institution_staff(actor)
    if need.status == NeedStatus.DRAFT:
        raise NotFound()
    if need.status == NeedStatus.CLOSED:
        raise ApplicationError("need_closed", "需求已关闭，不能答复", "the need is closed", "need")
    text = text.strip()
    if not text:
        raise ApplicationError("required", "答复内容必填", "answer text is required", "text")
    ids = sorted(set(patent_ids or []))
    own_pooled = set(
        InventoryRecord.objects.filter(
            organization=org, patent_id__in=ids, state=InventoryState.POOLED
        ).values_list("patent_id", flat=True)
    )
    if set(ids) - own_pooled:
        raise PermissionRefused("只能推荐本单位已入库的专利", "only your own pooled patents can be proposed")
    with transaction.atomic():
        answer = NeedAnswer.objects.filter(need=need, institution=org).first()
        if answer is None:
            answer = NeedAnswer.objects.create(
                need=need,
                institution=org,
                author=actor,
                text=text,
                answered_at=answered_at or timezone.now(),
                is_demo=need.is_demo,
            )
            action = "need.answer"
        else:
            answer.text, answer.author = text, actor
            answer.save(update_fields=["text", "author", "updated_at"])
            action = "need.answer_update"
        answer.proposed_patents.set(ids)
        if need.status == NeedStatus.OPEN:
            need.status = NeedStatus.ANSWERED
            need.save(update_fields=["status", "updated_at"])
        audit_record(action, actor=actor, obj=answer, detail={"need": need.pk, "patents": ids})
    return answer
