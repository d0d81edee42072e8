"""Event writes: create (with the needs and patents presented), register / withdraw (capacity, per-organisation
limit, closing), close registration, mark attendance, and name an event or a broker as the origin of a deal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from panhuo.accounts import visibility
from panhuo.accounts.models import Organization, OrganizationType, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import (
    ApplicationError,
    ErrorCollector,
    FieldErrors,
    NotFound,
    PermissionRefused,
)
from panhuo.community.models import (
    DealOrigin,
    Event,
    EventKind,
    EventRegistration,
    MatchProposal,
    TechManager,
)
from panhuo.community.services.common import count, ref, text
from panhuo.deals.selectors import deal_get
from panhuo.demand.models import Need
from panhuo.demand.selectors import needs_visible
from panhuo.patents.models import Patent
from panhuo.patents.picker import patents_resolve

MAX_CAPACITY = 100_000


@dataclass(frozen=True)
class EventInput:
    kind: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    capacity: int | None
    registration_closes_at: datetime | None
    online: bool = False
    description: str = ""
    per_org_limit: int | None = None
    need_ids: list[int] = field(default_factory=list)
    patents: str = ""  # 申请号 / 公开号 / title words, one per line


def _moment(value: datetime | None, field: str, zh: str, errors: ErrorCollector) -> datetime | None:
    """A time in the years 2000–2100; a time without a zone is read in the site's zone (Asia/Shanghai)."""
    if value is None:
        errors.refuse(field, f"请填写{zh}", f"{field} is required")
        return None
    if not 2000 <= value.year <= 2100:
        errors.refuse(field, f"{zh}应在 2000–2100 年之间", f"{field} out of range")
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _organiser(actor: User) -> int:
    org_id = actor.organization_id
    if org_id is None or not visibility.event_manager(actor, org_id):
        raise PermissionRefused("只有知识产权局、高校院所管理员或服务机构可以组织活动", "organisers only")
    return org_id


def event_validate(actor: User, data: EventInput) -> tuple[dict[str, object], list[Need], list[Patent]]:
    errors = ErrorCollector()
    if data.kind not in EventKind.values:
        errors.refuse("kind", "请选择活动类型", "choose a kind")
    title = text(data.title, "title", "活动名称", errors, max_len=200, required=True)
    place = text(data.place, "place", "地点或线上会议室", errors, max_len=300, required=True)
    description = text(data.description, "description", "活动简介", errors, max_len=8000)
    starts_at = _moment(data.starts_at, "starts_at", "开始时间", errors)
    ends_at = _moment(data.ends_at, "ends_at", "结束时间", errors)
    closes_at = _moment(data.registration_closes_at, "registration_closes_at", "报名截止时间", errors)
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        errors.refuse("ends_at", "结束时间不能早于开始时间", "ends before it starts")
    if starts_at is not None and closes_at is not None and closes_at > starts_at:
        errors.refuse("registration_closes_at", "报名截止时间不能晚于开始时间", "closes after the start")
    if data.capacity is None:
        errors.refuse("capacity", "请填写名额", "capacity is required")
    capacity = count(data.capacity, "capacity", "名额", errors, low=1, high=MAX_CAPACITY)
    per_org = count(data.per_org_limit, "per_org_limit", "每单位限报人数", errors, high=MAX_CAPACITY)
    ids = sorted({i for i in data.need_ids if 0 < i < 2**63})
    if len(ids) != len(set(data.need_ids)):
        errors.refuse("need_ids", "所选技术需求不存在", "unknown needs")
    needs = list(needs_visible(actor).filter(pk__in=ids).exclude(status="draft"))
    if len(needs) != len(ids) and not any(e.field == "need_ids" for e in errors.errors):
        errors.refuse("need_ids", "所选技术需求不存在或不可见", "unknown needs")
    patents: list[Patent] = []
    if data.patents.strip():
        try:
            patents = patents_resolve(actor, data.patents, scope="visible", field="patents")
        except FieldErrors as exc:
            for e in exc.errors:
                errors.refuse("patents", e.message_zh, e.message_en)
        except ApplicationError as exc:
            errors.refuse("patents", exc.message_zh, exc.message_en)
    errors.raise_any()
    fields: dict[str, object] = {
        "kind": data.kind,
        "title": title,
        "place": place,
        "description": description,
        "online": bool(data.online),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "registration_closes_at": closes_at,
        "capacity": capacity,
        "per_org_limit": per_org,
    }
    return fields, needs, patents


def _next_code(year: int) -> str:
    prefix = f"HD{year}-"
    last = Event.objects.filter(code__startswith=prefix).aggregate(m=Max("code"))["m"]
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def event_create(*, actor: User, data: EventInput, is_demo: bool = False) -> Event:
    org_id = _organiser(actor)
    fields, needs, patents = event_validate(actor, data)
    with transaction.atomic():
        starts = fields["starts_at"]
        assert isinstance(starts, datetime)
        event = Event.objects.create(
            code=_next_code(timezone.localtime(starts).year),
            organiser_id=org_id,
            created_by=actor,
            is_demo=is_demo,
            **fields,
        )
        event.needs.set(needs)
        event.patents.set(patents)
        audit_record("event.create", actor=actor, obj=event, detail={"code": event.code})
    return event


def _managed(actor: User, event_id: int) -> Event:
    event = Event.objects.select_for_update().filter(pk=ref(event_id)).first()
    if event is None or not visibility.event_manager(actor, event.organiser_id):
        raise NotFound("活动不存在", "event not found")
    return event


def event_update(*, actor: User, event_id: int, data: EventInput) -> Event:
    """The organiser corrects or reschedules an event: the same checks as publishing, and never fewer places than
    people already registered; a cancelled event is no longer changed."""
    fields, needs, patents = event_validate(actor, data)
    with transaction.atomic():
        event = _managed(actor, event_id)
        if event.cancelled:
            raise ApplicationError(
                "event_cancelled", "活动已取消，不能再修改", "the event is cancelled", "event"
            )
        registered = EventRegistration.objects.filter(event=event, walk_in=False).count()
        capacity = fields["capacity"]
        assert isinstance(capacity, int)
        errors = ErrorCollector()
        if capacity < registered:
            errors.refuse(
                "capacity",
                f"名额不能少于已报名的 {registered} 人",
                f"capacity below the {registered} people registered",
            )
        errors.raise_any()
        changed = sorted(name for name, value in fields.items() if getattr(event, name) != value)
        for name, value in fields.items():
            setattr(event, name, value)
        event.save()
        if {n.pk for n in event.needs.all()} != {n.pk for n in needs}:
            changed.append("needs")
        if {p.pk for p in event.patents.all()} != {p.pk for p in patents}:
            changed.append("patents")
        event.needs.set(needs)
        event.patents.set(patents)
        audit_record("event.update", actor=actor, obj=event, detail={"changed": changed})
    return event


def event_cancel(*, actor: User, event_id: int, reason: str) -> Event:
    """Cancel an event with the reason its registrants read on its page (registration ends with it)."""
    reason = reason.strip()
    errors = ErrorCollector()
    if not reason or len(reason) > 500:
        errors.refuse("reason", "请填写取消原因（不超过 500 字）", "give a reason (≤ 500 characters)")
    errors.raise_any()
    with transaction.atomic():
        event = _managed(actor, event_id)
        if event.cancelled:
            raise ApplicationError("event_cancelled", "活动已取消", "the event is already cancelled", "event")
        event.cancelled = True
        event.cancelled_reason = reason
        event.registration_closed = True
        event.save(update_fields=["cancelled", "cancelled_reason", "registration_closed", "updated_at"])
        audit_record("event.cancel", actor=actor, obj=event, detail={"reason": reason})
    return event


def event_close_registration(*, actor: User, event_id: int) -> Event:
    with transaction.atomic():
        event = _managed(actor, event_id)
        event.registration_closed = True
        event.save(update_fields=["registration_closed", "updated_at"])
        audit_record("event.close", actor=actor, obj=event)
    return event


def registration_open(event: Event, *, now: datetime) -> bool:
    return not (event.cancelled or event.registration_closed or now > event.registration_closes_at)


def event_register(*, actor: User, event_id: int, is_demo: bool = False) -> EventRegistration:
    """Register the acting user (and the user's organisation) for an event."""
    if actor.role not in visibility.EVENT_REGISTRANT_ROLES:
        raise PermissionRefused("该角色不能报名活动", "this role cannot register")
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=ref(event_id), cancelled=False).first()
        if event is None:
            raise NotFound("活动不存在", "event not found")
        if not registration_open(event, now=timezone.now()):
            raise ApplicationError("registration_closed", "报名已截止", "registration is closed", "event")
        regs = EventRegistration.objects.filter(event=event, walk_in=False)
        if regs.filter(user=actor).exists():
            raise ApplicationError("registered", "您已报名该活动", "already registered", "event")
        if regs.count() >= event.capacity:
            raise ApplicationError("full", "名额已满", "the event is full", "event")
        if (
            event.per_org_limit
            and regs.filter(organization=actor.organization).count() >= event.per_org_limit
        ):
            raise ApplicationError(
                "org_limit",
                f"每个单位最多报名 {event.per_org_limit} 人，本单位名额已满",
                "your organisation's places are taken",
                "event",
            )
        org: Organization | None = actor.organization
        reg = EventRegistration.objects.create(
            event=event,
            user=actor,
            organization=org,
            name=actor.name,
            org_name=org.name if org else "",
            is_demo=is_demo,
        )
        audit_record(
            "event.register", actor=actor, tenant_id=event.organiser_id, obj=reg, detail={"event": event.pk}
        )
    return reg


def event_withdraw(*, actor: User, event_id: int) -> None:
    with transaction.atomic():
        reg = (
            EventRegistration.objects.select_related("event")
            .filter(event_id=ref(event_id), user=actor)
            .first()
        )
        if reg is None:
            raise NotFound("没有您的报名", "no registration")
        if reg.attended or not registration_open(reg.event, now=timezone.now()):
            raise ApplicationError(
                "withdraw_closed", "报名截止后不能取消报名", "too late to withdraw", "event"
            )
        audit_record("event.withdraw", actor=actor, tenant_id=reg.event.organiser_id, obj=reg)
        reg.delete()


def attendance_mark(*, actor: User, event_id: int, attended_ids: list[int]) -> int:
    """Set who attended (the ticked registrations) and who did not; returns how many changed."""
    with transaction.atomic():
        event = _managed(actor, event_id)
        now = timezone.now()
        if now < event.starts_at:
            raise ApplicationError("not_started", "活动开始后才能签到", "the event has not started", "event")
        regs = list(EventRegistration.objects.select_for_update().filter(event=event))
        wanted = set(attended_ids)
        unknown = wanted - {r.pk for r in regs}
        if unknown:
            raise ApplicationError(
                "unknown_registration", "所选报名不属于本活动", "unknown registrations", "attended"
            )
        changed = 0
        for r in regs:
            if (r.pk in wanted) != r.attended:
                r.attended, r.attended_at = r.pk in wanted, now if r.pk in wanted else None
                r.save(update_fields=["attended", "attended_at", "updated_at"])
                changed += 1
        audit_record(
            "event.attendance", actor=actor, obj=event, detail={"changed": changed, "attended": len(wanted)}
        )
    return changed


def attendance_row(
    *,
    actor: User,
    organiser_id: int,
    event_code: str,
    name: str,
    org_name: str,
    username: str,
    attended: bool,
) -> str:
    """One attendance-list row (the import): match a registration by account or by name and organisation, else add a
    walk-in. Returns "inserted" | "updated" | "unchanged"."""
    errors = ErrorCollector()
    event = Event.objects.filter(code=event_code.strip(), organiser_id=organiser_id).first()
    if event is None:
        errors.refuse("event_code", "本单位没有该活动编号", "no such event")
    name = text(name, "name", "姓名", errors, max_len=100, required=not username.strip())
    org_name = text(org_name, "org_name", "单位", errors, max_len=200)
    user = None
    if username.strip():
        user = User.objects.filter(username=username.strip()).first()
        if user is None:
            errors.refuse("username", "没有该用户名", "no such account")
    if event is not None and event.starts_at > timezone.now():
        errors.refuse("event_code", "活动尚未开始，不能签到", "the event has not started")
    errors.raise_any()
    assert event is not None
    regs = EventRegistration.objects.select_for_update().filter(event=event)
    reg = (
        regs.filter(user=user).first()
        if user is not None
        else regs.filter(name=name, org_name=org_name).first()
    )
    if reg is None:
        reg = EventRegistration.objects.create(
            event=event,
            user=user,
            organization=user.organization if user is not None else None,
            name=name or (user.name if user else ""),
            org_name=org_name or (user.organization.name if user and user.organization else ""),
            walk_in=True,
            attended=attended,
            attended_at=timezone.now() if attended else None,
        )
        audit_record("event.walk_in", actor=actor, obj=reg, detail={"event": event.pk})
        return "inserted"
    if reg.attended == attended:
        return "unchanged"
    reg.attended, reg.attended_at = attended, timezone.now() if attended else None
    reg.save(update_fields=["attended", "attended_at", "updated_at"])
    audit_record("event.attendance", actor=actor, obj=reg, detail={"event": event.pk, "attended": attended})
    return "updated"


def deal_origin_record(
    *,
    actor: User,
    deal_id: int,
    event_id: int | None = None,
    broker_id: int | None = None,
    proposal_id: int | None = None,
    manager_id: int | None = None,
    is_demo: bool = False,
) -> DealOrigin:
    """The deal's institution names where the deal came from (an event, a broker, its proposal and 技术经理人)."""
    deal = deal_get(actor, ref(deal_id))
    institution = visibility.require_institution_staff(actor)
    if deal.institution_id != institution.pk:
        raise PermissionRefused("只有交易所属高校院所的管理员可以登记交易来源", "the deal's institution only")
    errors = ErrorCollector()
    if event_id is None and broker_id is None:
        errors.refuse("event", "请至少选择来源活动或撮合机构", "name an event or a broker")
    if event_id is not None and not Event.objects.filter(pk=ref(event_id), cancelled=False).exists():
        errors.refuse("event", "活动不存在", "unknown event")
    if (
        broker_id is not None
        and not Organization.objects.filter(pk=ref(broker_id), type=OrganizationType.AGENCY).exists()
    ):
        errors.refuse("broker", "撮合机构应为已注册的服务机构", "the broker must be an agency")
    if (
        proposal_id is not None
        and not MatchProposal.objects.filter(pk=ref(proposal_id), agency_id=ref(broker_id)).exists()
    ):
        errors.refuse("proposal", "撮合建议不属于所选服务机构", "proposal of another broker")
    if manager_id is not None and not TechManager.objects.filter(pk=ref(manager_id)).exists():
        errors.refuse("manager", "技术经理人不存在", "unknown manager")
    errors.raise_any()
    with transaction.atomic():
        origin, created = DealOrigin.objects.update_or_create(
            deal=deal,
            defaults={
                "event_id": event_id,
                "broker_id": broker_id,
                "proposal_id": proposal_id,
                "manager_id": manager_id,
                "recorded_by": actor,
                "is_demo": is_demo,
            },
        )
        audit_record(
            "deal.origin",
            actor=actor,
            obj=origin,
            detail={"deal": deal.pk, "event": event_id, "broker": broker_id, "created": created},
        )
    return origin
