"""Subscriptions, favourites and cooperation requests: what an enterprise does from a patent page."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import Organization, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound
from panhuo.demand.models import CooperationRequest, Favourite, Need, NeedStatus, RequestStatus, Subscription
from panhuo.demand.services import checks
from panhuo.patents.activity import activity_bump
from panhuo.patents.models import Patent, PatentIndustry

# Which status an actor may move a request to, from which states.
_INSTITUTION_MOVES = {
    RequestStatus.REPLIED: {RequestStatus.NEW, RequestStatus.REPLIED},
    RequestStatus.ACCEPTED: {RequestStatus.NEW, RequestStatus.REPLIED},
    RequestStatus.DECLINED: {RequestStatus.NEW, RequestStatus.REPLIED},
}


def favourite_toggle(*, actor: User, patent: Patent) -> bool:
    """Add or remove a favourite; returns True when the patent is now a favourite."""
    org = checks.require_enterprise_user(actor)
    with transaction.atomic():
        existing = Favourite.objects.select_for_update().filter(user=actor, patent=patent).first()
        if existing is not None:
            existing.delete()
            activity_bump(patent_id=patent.pk, favourites=-1)
            audit_record("favourite.remove", actor=actor, obj=patent)
            return False
        checks.require_pooled(patent)
        Favourite.objects.create(user=actor, organization=org, patent=patent)
        activity_bump(patent_id=patent.pk, favourites=1)
        audit_record("favourite.add", actor=actor, obj=patent)
        return True


def _clean_terms(values: list[str], limit: int = 20) -> list[str]:
    out: list[str] = []
    for v in values:
        v = v.strip()
        if v and v not in out:
            out.append(v[:50])
    return out[:limit]


def subscription_create(
    *,
    actor: User,
    name: str,
    keywords: list[str] | None = None,
    ipc_codes: list[str] | None = None,
    industry_codes: list[str] | None = None,
    institution_ids: list[int] | None = None,
    is_demo: bool = False,
) -> Subscription:
    org = checks.require_enterprise_user(actor)
    kw = _clean_terms(keywords or [])
    ipcs = checks.ipc_list(ipc_codes or [])
    industries = [checks.industry(c)[0] for c in _clean_terms(industry_codes or [])]
    inst_ids = sorted(set(institution_ids or []))
    institutions = list(Organization.objects.filter(pk__in=inst_ids, type__in=["university", "institute"]))
    if len(institutions) != len(inst_ids):
        raise ApplicationError("institution", "订阅的机构不存在", "unknown institution", "institutions")
    if not (kw or ipcs or industries or institutions):
        raise ApplicationError(
            "subscription_empty",
            "至少填写一项：关键词、IPC、行业或机构",
            "give at least one keyword, IPC code, industry or institution",
            "keywords",
        )
    name = name.strip() or "、".join((kw + ipcs + industries)[:3]) or "机构订阅"
    with transaction.atomic():
        sub = Subscription.objects.create(
            user=actor,
            organization=org,
            name=name[:100],
            keywords=kw,
            ipc_codes=ipcs,
            industry_codes=industries,
            is_demo=is_demo,
        )
        sub.institutions.set(institutions)
        audit_record("subscription.create", actor=actor, obj=sub)
    return sub


def subscription_similar_to_patent(*, actor: User, patent: Patent) -> Subscription:
    """订阅相似专利: the patent's IPC subclass and its GB/T 4754 industries."""
    checks.require_pooled(patent)
    industries = list(
        PatentIndustry.objects.filter(patent=patent, scheme=PatentIndustry.Scheme.GBT4754, level=4)
        .order_by("-confidence", "code")
        .values_list("code", flat=True)[:3]
    )
    valid = []
    for code in industries:
        try:
            valid.append(checks.industry(code)[0])
        except ApplicationError:
            continue
    return subscription_create(
        actor=actor,
        name=f"相似：{patent.title[:40]}",
        ipc_codes=[patent.ipc_subclass] if patent.ipc_subclass else [],
        industry_codes=valid,
        keywords=[] if patent.ipc_subclass or valid else [patent.title[:20]],
    )


def subscription_delete(*, actor: User, subscription: Subscription) -> None:
    checks.require_enterprise_user(actor)
    if subscription.user_id != actor.pk:
        raise NotFound()
    with transaction.atomic():
        audit_record("subscription.delete", actor=actor, obj=subscription)
        subscription.delete()


def cooperation_request_create(
    *,
    actor: User,
    mode: str,
    message: str,
    patent: Patent | None = None,
    institution: Organization | None = None,
    need: Need | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    created_at: Any = None,
    is_demo: bool = False,
) -> CooperationRequest:
    """An enterprise asks an institution; with a patent, the institution must hold it pooled."""
    org = checks.require_enterprise_user(actor)
    message = message.strip()
    errors = ErrorCollector()  # the fields a person typed: every problem at once, each on its field
    if not message:
        errors.add(ApplicationError("required", "请填写留言", "message is required", "message"))
    phone = ""
    with errors.capture():
        phone = checks.phone(contact_phone)
    chosen_mode = ""
    with errors.capture():
        chosen_mode = checks.mode(mode)
    errors.raise_any()
    if patent is not None:
        holders = checks.require_pooled(patent)
        if institution is None:
            institution = Organization.objects.get(pk=holders[0])
        elif institution.pk not in holders:
            raise ApplicationError(
                "not_holder",
                "该机构未将此专利入库",
                "institution does not hold this patent pooled",
                "institution",
            )
    if institution is None or not institution.holds_patents:
        raise ApplicationError(
            "institution", "请选择高校或科研院所", "choose a university or institute", "institution"
        )
    if need is not None and (need.enterprise_id != org.pk or need.status == NeedStatus.DRAFT):
        raise NotFound()
    with transaction.atomic():
        req = CooperationRequest.objects.create(
            enterprise=org,
            requester=actor,
            institution=institution,
            patent=patent,
            need=need,
            mode=chosen_mode,
            message=message[:4000],
            contact_name=contact_name.strip()[:100],
            contact_phone=phone,
            is_demo=is_demo,
        )
        if created_at is not None:  # demo history only
            CooperationRequest.objects.filter(pk=req.pk).update(created_at=created_at)
            req.refresh_from_db()
        audit_record(
            "cooperation.create",
            actor=actor,
            obj=req,
            detail={"institution": institution.pk, "patent": patent.pk if patent else None},
        )
    return req


def cooperation_request_reply(
    *,
    actor: User,
    request: CooperationRequest,
    reply: str,
    status: str = RequestStatus.REPLIED,
    at: Any = None,
) -> CooperationRequest:
    """The institution replies, accepts or declines; the first reply time is its response time."""
    org = checks.require_institution_staff(actor)
    if request.institution_id != org.pk:
        raise NotFound()
    allowed_from = _INSTITUTION_MOVES.get(status)  # type: ignore[call-overload]
    if allowed_from is None:
        raise ApplicationError("status", "无效的处理结果", "invalid status", "status")
    if request.status not in allowed_from:
        raise ApplicationError(
            "request_state",
            f"当前状态（{request.get_status_display()}）不能再处理",
            "request can no longer be answered",
            "status",
        )
    reply = reply.strip()
    if not reply:
        raise ApplicationError("required", "请填写回复", "reply is required", "reply")
    with transaction.atomic():
        request.reply, request.status, request.replied_by = reply[:4000], status, actor
        if request.replied_at is None:
            request.replied_at = at or timezone.now()
        request.save()
        audit_record("cooperation.reply", actor=actor, obj=request, detail={"status": status})
    return request


def cooperation_request_close(*, actor: User, request: CooperationRequest) -> CooperationRequest:
    org = getattr(actor, "organization", None)
    if org is None or org.pk not in (request.enterprise_id, request.institution_id):
        raise NotFound()
    if org.pk == request.enterprise_id:
        checks.require_enterprise_user(actor)
    else:
        checks.require_institution_staff(actor)
    if request.status == RequestStatus.CLOSED:
        return request
    with transaction.atomic():
        request.status, request.closed_at = RequestStatus.CLOSED, timezone.now()
        request.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record("cooperation.close", actor=actor, obj=request)
    return request
