"""服务机构 brokering writes: propose a match (pooled patent ↔ posted need) to both sides, each side answers once,
record a service (type, dates, fee); and 技术经理人 profiles (one per person, public only with consent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from panhuo.accounts import visibility
from panhuo.accounts.models import Role, User
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, ErrorCollector, NotFound, PermissionRefused
from panhuo.community.models import (
    BrokerService,
    DealOrigin,
    Decision,
    Event,
    MatchProposal,
    ServiceType,
    TechManager,
)
from panhuo.community.services.common import ref, text, yuan
from panhuo.demand.models import Need, NeedStatus
from panhuo.demand.selectors import needs_visible
from panhuo.patents.models import InventoryRecord, InventoryState, Patent
from panhuo.patents.picker import patent_resolve

OPEN_NEEDS = (NeedStatus.OPEN, NeedStatus.ANSWERED)


def _agency(actor: User) -> int:
    if actor.role != Role.AGENCY_USER or actor.organization_id is None:
        raise PermissionRefused("只有服务机构用户可以办理", "agency users only")
    return actor.organization_id


@dataclass(frozen=True)
class ProposalInput:
    patent: str
    need_id: int | None
    reason: str
    event_id: int | None = None


def proposal_validate(actor: User, data: ProposalInput) -> tuple[Patent, InventoryRecord, Need, str]:
    """Every refusal of a proposal at once (the form calls it too when its own fields did not parse)."""
    agency_id = _agency(actor)
    patent, need_id, reason, event_id = data.patent, data.need_id, data.reason, data.event_id
    errors = ErrorCollector()
    found: Patent | None = None
    try:
        found = patent_resolve(actor, patent, scope="visible", field="patent")
    except ApplicationError as exc:
        errors.refuse("patent", exc.message_zh, exc.message_en)
    record = None
    if found is not None:
        record = (
            InventoryRecord.objects.filter(patent=found, state=InventoryState.POOLED).order_by("pk").first()
        )
        if record is None:
            errors.refuse("patent", "该专利未进入转化资源库，不能推荐", "the patent is not in the pool")
    need = needs_visible(actor).filter(pk=ref(need_id), status__in=OPEN_NEEDS).first()
    if need is None:
        errors.refuse("need", "请选择征集中的技术需求", "choose an open need")
    reason = text(reason, "reason", "推荐理由", errors, max_len=2000, required=True)
    if event_id is not None and not Event.objects.filter(pk=ref(event_id), cancelled=False).exists():
        errors.refuse("event", "活动不存在", "unknown event")
    if found is not None and need is not None:
        if MatchProposal.objects.filter(agency_id=agency_id, patent=found, need=need).exists():
            errors.refuse("need", "已向双方推荐过这一组专利和需求", "already proposed")
    errors.raise_any()
    assert found is not None and need is not None and record is not None
    return found, record, need, reason


def proposal_create(*, actor: User, data: ProposalInput, is_demo: bool = False) -> MatchProposal:
    """Propose a pooled patent for an open need; both the holder and the enterprise see it and answer."""
    agency_id = _agency(actor)
    found, record, need, reason = proposal_validate(actor, data)
    event_id = data.event_id
    with transaction.atomic():
        proposal = MatchProposal.objects.create(
            agency_id=agency_id,
            proposed_by=actor,
            patent=found,
            holder_id=record.organization_id,
            need=need,
            enterprise_id=need.enterprise_id,
            reason=reason,
            event_id=event_id,
            is_demo=is_demo,
        )
        audit_record(
            "proposal.create",
            actor=actor,
            obj=proposal,
            detail={"patent": found.pk, "need": need.pk, "event": event_id},
        )
    return proposal


def proposal_decide(*, actor: User, proposal_id: int, accept: bool, note: str = "") -> MatchProposal:
    """The holder's staff or the enterprise answers (once); the agency cannot answer for them."""
    with transaction.atomic():
        p = MatchProposal.objects.select_for_update().filter(pk=ref(proposal_id)).first()
        side = (
            visibility.proposal_side(
                actor, agency_id=p.agency_id, holder_id=p.holder_id, enterprise_id=p.enterprise_id
            )
            if p is not None
            else None
        )
        if p is None or side is None:
            raise NotFound("撮合建议不存在", "proposal not found")
        if side == "agency":
            raise PermissionRefused("服务机构不能代替双方答复", "the broker cannot answer for a side")
        errors = ErrorCollector()
        note = text(note, "note", "说明", errors, max_len=500)
        current = p.holder_decision if side == "holder" else p.enterprise_decision
        if current != Decision.PENDING:
            errors.refuse("decision", "已经答复过，不能更改", "already answered")
        errors.raise_any()
        decision = Decision.ACCEPTED if accept else Decision.DECLINED
        if side == "holder":
            p.holder_decision, p.holder_note = decision, note
        else:
            p.enterprise_decision, p.enterprise_note = decision, note
        p.save()
        audit_record(
            "proposal.decide",
            actor=actor,
            tenant_id=p.agency_id,
            obj=p,
            detail={"side": side, "decision": decision},
        )
    return p


@dataclass(frozen=True)
class ServiceInput:
    service_type: str
    started_on: date | None
    ended_on: date | None = None
    fee_yuan: str = ""
    proposal_id: int | None = None
    deal_code: str = ""
    manager_id: int | None = None
    notes: str = ""


def service_validate(actor: User, data: ServiceInput) -> tuple[int, str, int | None]:
    """Every refusal at once; returns (fee in fen, notes, deal id)."""
    agency_id = _agency(actor)
    errors = ErrorCollector()
    if data.service_type not in ServiceType.values:
        errors.refuse("service_type", "请选择服务类型", "choose a service type")
    if data.started_on is None:
        errors.refuse("started_on", "请填写开始日期", "start date is required")
    elif data.started_on > timezone.localdate():
        errors.refuse("started_on", "开始日期不能晚于今天", "start date is in the future")
    if data.ended_on is not None and data.started_on is not None and data.ended_on < data.started_on:
        errors.refuse("ended_on", "结束日期不能早于开始日期", "ends before it starts")
    fee = yuan(data.fee_yuan, "fee", "服务费", errors)
    notes = text(data.notes, "notes", "说明", errors, max_len=4000)
    if (
        data.proposal_id is not None
        and not MatchProposal.objects.filter(pk=ref(data.proposal_id), agency_id=agency_id).exists()
    ):
        errors.refuse("proposal", "撮合建议不存在", "unknown proposal")
    deal_id = None
    if data.deal_code.strip():
        origin = DealOrigin.objects.filter(deal__code=data.deal_code.strip(), broker_id=agency_id).first()
        if origin is None:
            errors.refuse(
                "deal_code", "该交易未登记为本机构撮合（由交易所属单位登记）", "not a deal you brokered"
            )
        else:
            deal_id = origin.deal_id
    if (
        data.manager_id is not None
        and not TechManager.objects.filter(pk=ref(data.manager_id), organization_id=agency_id).exists()
    ):
        errors.refuse("manager", "技术经理人不属于本机构", "manager of another organisation")
    errors.raise_any()
    return fee, notes, deal_id


def service_record(*, actor: User, data: ServiceInput, is_demo: bool = False) -> BrokerService:
    """Record one service; the proposal must be the agency's own, the deal one its institution says it brokered."""
    agency_id = _agency(actor)
    fee, notes, deal_id = service_validate(actor, data)
    assert data.started_on is not None
    with transaction.atomic():
        service = BrokerService.objects.create(
            agency_id=agency_id,
            recorded_by=actor,
            service_type=data.service_type,
            proposal_id=data.proposal_id,
            deal_id=deal_id,
            manager_id=data.manager_id,
            started_on=data.started_on,
            ended_on=data.ended_on,
            fee_fen=fee,
            notes=notes,
            is_demo=is_demo,
        )
        audit_record(
            "service.record", actor=actor, obj=service, detail={"type": data.service_type, "fee": fee}
        )
    return service


@dataclass(frozen=True)
class ManagerInput:
    name: str
    qualification: str
    fields_text: str
    certificate_no: str = ""
    bio: str = ""
    public_consent: bool = False


def manager_validate(actor: User, data: ManagerInput) -> dict[str, object]:
    if actor.role not in visibility.EVENT_REGISTRANT_ROLES or actor.organization_id is None:
        raise PermissionRefused("该角色不能登记技术经理人档案", "this role has no profile")
    errors = ErrorCollector()
    fields = {
        "name": text(data.name, "name", "姓名", errors, max_len=100, required=True),
        "qualification": text(
            data.qualification, "qualification", "资格", errors, max_len=100, required=True
        ),
        "fields_text": text(data.fields_text, "fields_text", "服务领域", errors, max_len=300, required=True),
        "certificate_no": text(data.certificate_no, "certificate_no", "证书编号", errors, max_len=64),
        "bio": text(data.bio, "bio", "简介", errors, max_len=4000),
        "public_consent": bool(data.public_consent),
        "organization_id": actor.organization_id,
    }
    errors.raise_any()
    return fields


def manager_save(*, actor: User, data: ManagerInput, is_demo: bool = False) -> TechManager:
    """Create or update the acting person's own 技术经理人 profile."""
    fields = manager_validate(actor, data)
    with transaction.atomic():
        manager, created = TechManager.objects.update_or_create(
            user=actor, defaults={**fields, "is_demo": is_demo}
        )
        audit_record(
            "manager.save",
            actor=actor,
            obj=manager,
            detail={"created": created, "public": manager.public_consent},
        )
    return manager
