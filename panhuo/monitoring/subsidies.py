"""奖补 batches: collect eligible filings in a period and region, apply the engine (caps, pool), approve, export."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from engine.monitoring import subsidy as engine
from panhuo.accounts.models import HOLDER_TYPES, Organization, OrganizationType, Role
from panhuo.accounts.visibility import office_prefix
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.exports import xlsx_bytes
from panhuo.deals.models import CONTRACT_STATES, Deal, DealKind, DealParty, FilingKind
from panhuo.demand.models import EnterpriseProfile
from panhuo.monitoring.aggregates import ENTERPRISE_ROLE, SME_SIZES
from panhuo.monitoring.models import (
    AnomalyCase,
    BatchStatus,
    CaseStatus,
    SubsidyApplication,
    SubsidyBatch,
    SubsidyHold,
    SubsidyLine,
)

FILING_FOR = {
    "transfer": (FilingKind.TRANSFER_REGISTRATION, (DealKind.TRANSFER,)),
    "licence": (FilingKind.LICENCE_FILING, (DealKind.LICENCE, DealKind.OPEN_LICENCE)),
    "pledge": (FilingKind.PLEDGE_REGISTRATION, (DealKind.PLEDGE,)),
}


def subsidy_events(
    *, scheme: engine.SubsidyScheme, prefix: str, start: date, end: date
) -> list[engine.SubsidyEvent]:
    """Deals whose CNIPA filing falls in [start, end] and whose enterprise side is a 中小微企业 in the region.

    Transfers and licences must come from a university or institute (seed 003 二(二)1); pledges need a pledge
    registration, and the pledgor (the deal's holder) is the beneficiary.
    """
    kinds_needed = {r.event_kind for r in scheme.rules}
    sme = set(EnterpriseProfile.objects.filter(size__in=SME_SIZES).values_list("organization_id", flat=True))
    events: list[engine.SubsidyEvent] = []
    for event_kind in sorted(kinds_needed):
        filing_kind, deal_kinds = FILING_FOR[event_kind]
        deals = (
            Deal.objects.filter(
                kind__in=deal_kinds,
                state__in=CONTRACT_STATES,
                filings__kind=filing_kind,
                filings__filed_on__gte=start,
                filings__filed_on__lte=end,
            )
            .select_related("institution")
            .prefetch_related("deal_patents__patent")
            .distinct()
            .order_by("id")
        )
        for deal in deals:
            first = next(iter(deal.deal_patents.all()), None)
            ptype = first.patent.patent_type if first else ""
            if event_kind == "pledge":
                ent = deal.institution
                if ent.id not in sme or not ent.region_code.startswith(prefix):
                    continue
                events.append(
                    engine.SubsidyEvent(
                        deal.code, "pledge", ptype, deal.contract_amount_fen, {"buyer": ent.id}
                    )
                )
                continue
            if deal.institution.type not in HOLDER_TYPES:
                continue
            party = (
                DealParty.objects.filter(deal=deal, role=ENTERPRISE_ROLE[deal.kind])
                .select_related("organization")
                .order_by("id")
                .first()
            )
            if (
                party is None
                or party.organization_id not in sme
                or not party.organization.region_code.startswith(prefix)
            ):
                continue
            events.append(
                engine.SubsidyEvent(
                    deal.code,
                    event_kind,
                    ptype,
                    deal.contract_amount_fen,
                    {"seller": deal.institution_id, "buyer": party.organization_id},
                )
            )
    return events


def _office_user(actor: Any) -> None:
    if getattr(actor, "role", None) != Role.OFFICE_OFFICIAL or actor.organization is None:
        raise PermissionRefused("仅知识产权局用户可管理奖补", "Only IP office users manage subsidies")


def batches_visible(user: Any) -> QuerySet[SubsidyBatch]:
    if getattr(user, "role", None) == Role.OFFICE_OFFICIAL and user.organization_id:
        return SubsidyBatch.objects.filter(office_id=user.organization_id)
    return SubsidyBatch.objects.none()


def batch_get(*, actor: Any, pk: int) -> SubsidyBatch:
    batch = batches_visible(actor).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def _recompute(batch: SubsidyBatch) -> None:
    """Caps and the pool apply to the applications not rejected; lines stay as evidence."""
    scheme = engine.PRESETS[batch.scheme_code]
    apps = list(batch.applications.all())
    claims = {
        a.organization_id: sum(line.amount_fen for line in a.lines.all()) for a in apps if not a.rejected
    }
    capped = {
        e: min(v, scheme.entity_cap_fen) if scheme.entity_cap_fen is not None else v
        for e, v in claims.items()
    }
    total = sum(capped.values())
    scaled = scheme.pool_cap_fen is not None and total > scheme.pool_cap_fen
    paid = (
        engine.allocate_pool(capped, scheme.pool_cap_fen)
        if scaled and scheme.pool_cap_fen is not None
        else capped
    )
    for a in apps:
        a.claimed_fen = sum(line.amount_fen for line in a.lines.all())
        a.capped_fen = capped.get(a.organization_id, 0)
        a.paid_fen = paid.get(a.organization_id, 0)
    SubsidyApplication.objects.bulk_update(apps, ["claimed_fen", "capped_fen", "paid_fen"])
    batch.total_claimed_fen = sum(claims.values())
    batch.total_capped_fen = total
    batch.total_paid_fen = sum(paid.values())
    batch.scaled = scaled
    batch.save(
        update_fields=["total_claimed_fen", "total_capped_fen", "total_paid_fen", "scaled", "updated_at"]
    )


def batch_create(
    *, actor: Any, scheme_code: str, start: date, end: date, name: str = "", is_demo: bool = False
) -> SubsidyBatch:
    _office_user(actor)
    if scheme_code not in engine.PRESETS:
        raise ApplicationError(
            "unknown_scheme", "未知的奖补方案", "unknown subsidy scheme", field="scheme_code"
        )
    if end < start:
        raise ApplicationError("bad_period", "结束日期早于开始日期", "end is before start", field="end")
    scheme = engine.PRESETS[scheme_code]
    prefix = office_prefix(actor)
    if prefix is None:
        raise PermissionRefused("知识产权局未设置行政区划", "the office has no region")
    events = subsidy_events(scheme=scheme, prefix=prefix, start=start, end=end)
    candidates = engine.lines_for(scheme, events)
    try:
        with transaction.atomic():
            batch = SubsidyBatch.objects.create(
                office=actor.organization,
                scheme_code=scheme_code,
                name=name or scheme.name,
                region_prefix=prefix,
                period_start=start,
                period_end=end,
                created_by=actor,
                is_demo=is_demo,
            )
            lines, holds = _hold_back(batch, scheme, candidates)
            SubsidyHold.objects.bulk_create(holds)
            by_entity: dict[int, SubsidyApplication] = {}
            for line in lines:
                if line.entity_id not in by_entity:
                    by_entity[line.entity_id] = SubsidyApplication.objects.create(
                        batch=batch, organization_id=line.entity_id
                    )
            SubsidyLine.objects.bulk_create(
                SubsidyLine(
                    application=by_entity[line.entity_id],
                    scheme_code=scheme_code,
                    beneficiary_id=line.entity_id,
                    deal_code=line.ref,
                    rule=line.rule,
                    amount_fen=line.amount_fen,
                )
                for line in lines
            )
            _recompute(batch)
            audit_record(
                "subsidy.batch_create",
                actor=actor,
                obj=batch,
                detail={
                    "scheme": scheme_code,
                    "events": len(events),
                    "paid_fen": batch.total_paid_fen,
                    "held": {r: sum(1 for h in holds if h.reason == r) for r in {h.reason for h in holds}},
                },
            )
    except IntegrityError:
        # another batch of the same scheme was generated at the same moment and took these lines first
        raise ApplicationError(
            "subsidy_concurrent", "同一方案的另一批次正在生成，请稍后重试", "another batch is being generated"
        )
    return batch


def needs_payment(rule: engine.SubsidyRule) -> bool:
    """A rule paid on the contract amount (a rate or a threshold) needs the money to have arrived."""
    return rule.event_kind != "pledge" and (rule.rate_ppm > 0 or rule.min_amount_fen > 0)


def _hold_back(
    batch: SubsidyBatch, scheme: engine.SubsidyScheme, candidates: list[engine.SubsidyLine]
) -> tuple[list[engine.SubsidyLine], list[SubsidyHold]]:
    """The lines this batch pays, and the ones it holds back with their reason (one reason per line, first wins)."""
    rules = {r.code: r for r in scheme.rules}
    codes = {c.ref for c in candidates}
    deals = {d.code: d for d in Deal.objects.filter(code__in=codes)}
    claimed = set(
        SubsidyLine.objects.filter(scheme_code=scheme.code, deal_code__in=codes).values_list(
            "deal_code", "rule", "beneficiary_id"
        )
    )
    flagged: set[int] = set()
    for ids in AnomalyCase.objects.filter(status__in=(CaseStatus.OPEN, CaseStatus.CONFIRMED)).values_list(
        "deal_ids", flat=True
    ):
        flagged.update(int(i) for i in ids or [])
    entities = {c.entity_id for c in candidates}
    confirmed = set(
        EnterpriseProfile.objects.filter(organization_id__in=entities, office_confirmed=True).values_list(
            "organization_id", flat=True
        )
    )
    enterprises = set(
        Organization.objects.filter(pk__in=entities, type=OrganizationType.ENTERPRISE).values_list(
            "pk", flat=True
        )
    )
    paid: list[engine.SubsidyLine] = []
    holds: list[SubsidyHold] = []
    for c in candidates:
        deal = deals.get(c.ref)
        reason, detail = "", ""
        if (c.ref, c.rule, c.entity_id) in claimed:
            reason = SubsidyHold.Reason.ALREADY_PAID
        elif deal is not None and deal.pk in flagged:
            reason = SubsidyHold.Reason.ANOMALY
        elif (
            deal is not None and needs_payment(rules[c.rule]) and deal.received_fen < deal.contract_amount_fen
        ):
            reason = SubsidyHold.Reason.UNPAID
            detail = f"到账 {fen_text(deal.received_fen)} / 合同 {fen_text(deal.contract_amount_fen)} 元"
        elif c.entity_id in enterprises and c.entity_id not in confirmed:
            reason = SubsidyHold.Reason.SELF_DECLARED
        if reason:
            holds.append(
                SubsidyHold(
                    batch=batch,
                    organization_id=c.entity_id,
                    deal_code=c.ref,
                    rule=c.rule,
                    amount_fen=c.amount_fen,
                    reason=reason,
                    detail=detail,
                )
            )
        else:
            claimed.add((c.ref, c.rule, c.entity_id))
            paid.append(c)
    return paid, holds


def application_reject(*, actor: Any, application_id: int, reason: str) -> SubsidyApplication:
    _office_user(actor)
    if not reason.strip():
        raise ApplicationError(
            "reason_required", "请填写不予奖补的理由", "a reason is required", field="reason"
        )
    with transaction.atomic():
        app = SubsidyApplication.objects.filter(pk=application_id, batch__in=batches_visible(actor)).first()
        if app is None:
            raise NotFound()
        if app.batch.status != BatchStatus.DRAFT:
            raise ApplicationError("batch_closed", "批次已批准，不能修改", "the batch is already approved")
        app.rejected = True
        app.reject_reason = reason.strip()
        app.save(update_fields=["rejected", "reject_reason"])
        _recompute(app.batch)
        audit_record("subsidy.application_reject", actor=actor, obj=app, detail={"reason": app.reject_reason})
    return app


def batch_approve(*, actor: Any, batch_id: int) -> SubsidyBatch:
    _office_user(actor)
    with transaction.atomic():
        batch = batch_get(actor=actor, pk=batch_id)
        if batch.status != BatchStatus.DRAFT:
            raise ApplicationError("batch_closed", "批次已批准", "the batch is already approved")
        batch.status = BatchStatus.APPROVED
        batch.approved_by = actor
        batch.approved_at = timezone.now()
        batch.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
        audit_record(
            "subsidy.batch_approve", actor=actor, obj=batch, detail={"paid_fen": batch.total_paid_fen}
        )
    return batch


def fen_text(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def payout_xlsx(batch: SubsidyBatch) -> bytes:
    apps = batch.applications.select_related("organization").prefetch_related("lines")
    payouts = [
        (
            a.organization.name,
            a.organization.credit_code,
            fen_text(a.claimed_fen),
            fen_text(a.capped_fen),
            fen_text(a.paid_fen),
            "不予奖补: " + a.reject_reason if a.rejected else "",
        )
        for a in apps
    ]
    lines = [
        (a.organization.name, line.deal_code, line.rule, fen_text(line.amount_fen))
        for a in apps
        for line in a.lines.all()
    ]
    summary = [
        ("方案", batch.name),
        ("期间", f"{batch.period_start} — {batch.period_end}"),
        ("状态", batch.get_status_display()),
        ("申报合计(元)", fen_text(batch.total_claimed_fen)),
        ("封顶后(元)", fen_text(batch.total_capped_fen)),
        ("拨付合计(元)", fen_text(batch.total_paid_fen)),
        ("按比例分配", "是" if batch.scaled else "否"),
        ("依据", engine.PRESETS[batch.scheme_code].source),
    ]
    return xlsx_bytes(
        {
            "拨付清单": (
                ("单位", "统一社会信用代码", "申报(元)", "单位封顶后(元)", "拨付(元)", "备注"),
                payouts,
            ),
            "明细": (("单位", "交易编号", "奖补项目", "金额(元)"), lines),
            "汇总": (("项目", "值"), summary),
        }
    )
