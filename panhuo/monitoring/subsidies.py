"""奖补 batches: collect eligible filings in a period and region, apply the engine (caps, pool), approve, export."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from engine.deals.money import format_fen
from engine.programmes import definition as stored
from engine.programmes import presets as scheme_presets
from engine.programmes import subsidy as engine
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.exports import xlsx_bytes
from panhuo.deals.models import CONTRACT_STATES, Deal, DealKind, Filing, FilingKind, PartyRole
from panhuo.demand.models import EnterpriseProfile
from panhuo.financing.selectors import BankRecordedLoanCosts, bank_recorded_loan_costs
from panhuo.monitoring.aggregates import ENTERPRISE_ROLE
from panhuo.monitoring.models import (
    AnomalyCase,
    BatchStatus,
    CaseStatus,
    SubsidyApplication,
    SubsidyBatch,
    SubsidyHold,
    SubsidyLine,
)
from panhuo.programmes.models import PledgeLoanFigures
from panhuo.programmes.selectors import current_version, schemes_visible, version_engine

FILING_FOR: dict[str, str] = {
    DealKind.TRANSFER: FilingKind.TRANSFER_REGISTRATION,
    DealKind.LICENCE: FilingKind.LICENCE_FILING,
    DealKind.OPEN_LICENCE: FilingKind.LICENCE_FILING,
    DealKind.EQUITY: FilingKind.TRANSFER_REGISTRATION,
    DealKind.PLEDGE: FilingKind.PLEDGE_REGISTRATION,
}


def subsidy_events(*, scheme: engine.Scheme, start: date, end: date) -> list[engine.Event]:
    """Deals of the scheme's event kinds in contract states whose CNIPA filing / registration falls in [start, end],
    or, not filed, whose contract date does (a rule that requires the filing holds those back, `not_filed`).
    Eligibility (types, sizes, region) is the engine's, on the facts gathered here."""
    events: list[engine.Event] = []
    for kind in sorted({r.event for r in scheme.rules}):
        filing_kind = FILING_FOR[kind]
        deals = _deals_in_period(kind, filing_kind, start, end)
        orgs = {p.organization_id for d in deals for p in d.parties.all()} | {d.institution_id for d in deals}
        profiles = {p.organization_id: p for p in EnterpriseProfile.objects.filter(organization_id__in=orgs)}
        deal_ids = [d.pk for d in deals]
        figures = {f.deal_id: f for f in PledgeLoanFigures.objects.filter(deal__in=deal_ids)}
        bank_costs = bank_recorded_loan_costs(deal_ids) if kind == DealKind.PLEDGE else {}
        for deal in deals:
            interest, premium = _loan_costs(figures.get(deal.pk), bank_costs.get(deal.pk))
            events.append(_event(deal, kind, profiles, interest_paid_fen=interest, premium_paid_fen=premium))
    return events


def _deals_in_period(kind: str, filing_kind: str, start: date, end: date) -> list[Deal]:
    filed_ids = set(
        Filing.objects.filter(
            kind=filing_kind, deal__kind=kind, filed_on__gte=start, filed_on__lte=end
        ).values_list("deal_id", flat=True)
    )
    unfiled = (
        Deal.objects.filter(kind=kind, contract_date__gte=start, contract_date__lte=end)
        .exclude(filings__kind=filing_kind)
        .values_list("pk", flat=True)
    )
    ids = filed_ids | set(unfiled)
    return list(
        Deal.objects.filter(pk__in=ids, state__in=CONTRACT_STATES)
        .select_related("institution")
        .prefetch_related("deal_patents__patent", "parties__organization", "filings")
        .order_by("id")
    )


def _party(org: Organization, profiles: dict[int, EnterpriseProfile]) -> engine.Party:
    profile = profiles.get(org.pk)
    return engine.Party(
        entity_id=org.pk,
        org_type=org.type,
        size=profile.size if profile else "",
        region_code=org.region_code,
        confirmed=bool(profile and profile.office_confirmed)
        if org.type == OrganizationType.ENTERPRISE
        else True,
    )


def _loan_costs(figures: PledgeLoanFigures | None, bank: BankRecordedLoanCosts | None) -> tuple[int, int]:
    """Interest and premium a 贴息 / 保费 rule pays on: what the lending bank recorded in the 质押融资 flow wins over
    what the pledgor or office entered (`PledgeLoanFigures`), figure by figure; 0 when neither is known."""
    interest = figures.interest_paid_fen if figures else 0
    premium = figures.premium_paid_fen if figures else 0
    if bank is not None:
        if bank.interest_paid_fen is not None:
            interest = bank.interest_paid_fen
        if bank.premium_fen:
            premium = bank.premium_fen
    return interest, premium


def _event(
    deal: Deal,
    kind: str,
    profiles: dict[int, EnterpriseProfile],
    *,
    interest_paid_fen: int = 0,
    premium_paid_fen: int = 0,
) -> engine.Event:
    """The facts the engine decides on: parties (type, size, region, confirmed), patent types, amounts, filing."""
    parties: dict[str, engine.Party] = {}
    by_role: dict[str, Organization] = {}
    for p in sorted(deal.parties.all(), key=lambda p: p.pk):
        by_role.setdefault(p.role, p.organization)
    if kind == DealKind.PLEDGE:
        parties["enterprise"] = _party(deal.institution, profiles)  # the pledgor is the deal's holder
    else:
        parties["supplier"] = _party(deal.institution, profiles)
        ent = by_role.get(ENTERPRISE_ROLE[kind])
        if ent is not None:
            parties["enterprise"] = _party(ent, profiles)
    broker = by_role.get(PartyRole.BROKER)
    if broker is not None:
        parties["broker"] = _party(broker, profiles)
    return engine.Event(
        ref=deal.code,
        kind=kind,
        patent_types=tuple(dp.patent.patent_type for dp in deal.deal_patents.all()),
        contract_fen=deal.contract_amount_fen,
        received_fen=deal.received_fen,
        interest_paid_fen=interest_paid_fen,
        premium_paid_fen=premium_paid_fen,
        filed=any(f.kind == FILING_FOR[kind] for f in deal.filings.all()),
        parties=parties,
    )


def _office_user(actor: User) -> Organization:
    if getattr(actor, "role", None) != Role.OFFICE_OFFICIAL or actor.organization is None:
        raise PermissionRefused("仅知识产权局用户可管理奖补", "Only IP office users manage subsidies")
    return actor.organization


def batches_visible(user: User) -> QuerySet[SubsidyBatch]:
    if getattr(user, "role", None) == Role.OFFICE_OFFICIAL and user.organization_id:
        return SubsidyBatch.objects.filter(office_id=user.organization_id)
    return SubsidyBatch.objects.none()


def batch_get(*, actor: User, pk: int) -> SubsidyBatch:
    batch = batches_visible(actor).filter(pk=pk).first()
    if batch is None:
        raise NotFound()
    return batch


def batch_scheme(batch: SubsidyBatch) -> engine.Scheme:
    """The rules a batch applied: its version, or (batches from before versions) the preset of its code."""
    if batch.scheme_version is not None:
        return version_engine(batch.scheme_version)
    return stored.scheme_from_dict(scheme_presets.PRESETS[batch.scheme_code])


def _money_history(scheme_code: str, *, exclude_batch: int | None) -> tuple[dict[int, int], int]:
    """What approved batches of the scheme paid each unit, and in all (caps and the pool span batches)."""
    qs = SubsidyApplication.objects.filter(
        batch__scheme_code=scheme_code, batch__status=BatchStatus.APPROVED, rejected=False
    )
    if exclude_batch is not None:
        qs = qs.exclude(batch_id=exclude_batch)
    paid: dict[int, int] = defaultdict(int)
    for org_id, fen in qs.values_list("organization_id", "paid_fen"):
        paid[org_id] += fen
    return dict(paid), sum(paid.values())


def _recompute(batch: SubsidyBatch) -> None:
    """Caps and the pool apply to the applications not rejected; lines stay as evidence."""
    scheme = batch_scheme(batch)
    paid_by_unit, pool_used = _money_history(batch.scheme_code, exclude_batch=batch.pk)
    apps = list(batch.applications.prefetch_related("lines"))
    claims = {
        a.organization_id: sum(line.amount_fen for line in a.lines.all()) for a in apps if not a.rejected
    }
    result = engine.allocate(
        scheme, claims, engine.History(paid_by_unit=paid_by_unit, pool_used_fen=pool_used)
    )
    awards = {a.entity_id: a for a in result.awards}
    for a in apps:
        a.claimed_fen = sum(line.amount_fen for line in a.lines.all())
        award = awards.get(a.organization_id)
        a.capped_fen = award.capped_fen if award else 0
        a.paid_fen = award.paid_fen if award else 0
    SubsidyApplication.objects.bulk_update(apps, ["claimed_fen", "capped_fen", "paid_fen"])
    batch.total_claimed_fen = result.total_claimed_fen
    batch.total_capped_fen = result.total_capped_fen
    batch.total_paid_fen = result.total_paid_fen
    batch.scaled = result.scaled
    batch.save(
        update_fields=["total_claimed_fen", "total_capped_fen", "total_paid_fen", "scaled", "updated_at"]
    )


def _history(scheme: engine.Scheme, code: str, refs: set[str]) -> engine.History:
    claimed = frozenset(
        (d, r, int(b or 0))
        for d, r, b in SubsidyLine.objects.filter(scheme_code=code, deal_code__in=refs).values_list(
            "deal_code", "rule", "beneficiary_id"
        )
    )
    elsewhere = frozenset(
        (d, int(b or 0))
        for d, b in SubsidyLine.objects.filter(deal_code__in=refs, application__rejected=False)
        .exclude(scheme_code__in=("", code))
        .values_list("deal_code", "beneficiary_id")
    )
    flagged_ids: set[int] = set()
    for ids in AnomalyCase.objects.filter(status__in=(CaseStatus.OPEN, CaseStatus.CONFIRMED)).values_list(
        "deal_ids", flat=True
    ):
        flagged_ids.update(int(i) for i in ids or [])
    flagged = frozenset(Deal.objects.filter(pk__in=flagged_ids, code__in=refs).values_list("code", flat=True))
    return engine.History(claimed=claimed, supported_elsewhere=elsewhere, flagged_refs=flagged)


def batch_create(
    *, actor: User, scheme_code: str, start: date, end: date, name: str = "", is_demo: bool = False
) -> SubsidyBatch:
    """A batch of the office's scheme (its current version) over a filing period."""
    office = _office_user(actor)
    scheme_obj = schemes_visible(actor).filter(code=scheme_code).first()
    if scheme_obj is None:
        raise ApplicationError(
            "unknown_scheme",
            "未知的奖补方案（请先在“奖补方案”中设置）",
            "unknown subsidy scheme",
            field="scheme_code",
        )
    if end < start:
        raise ApplicationError("bad_period", "结束日期早于开始日期", "end is before start", field="end")
    if office_prefix(actor) is None:
        raise PermissionRefused("知识产权局未设置行政区划", "the office has no region")
    version = current_version(scheme_obj)
    scheme = version_engine(version)
    events = subsidy_events(scheme=scheme, start=start, end=end)
    history = _history(scheme, scheme_obj.code, {e.ref for e in events})
    selection = engine.select(scheme, events, tuple(version.regions), history)
    try:
        with transaction.atomic():
            batch = SubsidyBatch.objects.create(
                office=office,
                scheme_code=scheme_obj.code,
                scheme_version=version,
                name=name or scheme.name,
                region_prefix=office_prefix(actor) or "",
                period_start=start,
                period_end=end,
                created_by=actor,
                is_demo=is_demo,
            )
            holds = [_hold_row(batch, h.line, h.reason, h.detail) for h in selection.holds] + [
                _hold_row(batch, s.line, SubsidyHold.Reason.SUPERSEDED, f"按“{s.by_rule}”奖补")
                for s in selection.superseded
            ]
            SubsidyHold.objects.bulk_create(holds)
            by_entity: dict[int, SubsidyApplication] = {}
            for line in selection.lines:
                if line.entity_id not in by_entity:
                    by_entity[line.entity_id] = SubsidyApplication.objects.create(
                        batch=batch, organization_id=line.entity_id
                    )
            SubsidyLine.objects.bulk_create(
                SubsidyLine(
                    application=by_entity[line.entity_id],
                    scheme_code=scheme_obj.code,
                    beneficiary_id=line.entity_id,
                    deal_code=line.ref,
                    rule=line.rule,
                    amount_fen=line.amount_fen,
                )
                for line in selection.lines
            )
            _recompute(batch)
            audit_record(
                "subsidy.batch_create",
                actor=actor,
                obj=batch,
                detail={
                    "scheme": scheme_obj.code,
                    "version": version.number,
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


def _hold_row(batch: SubsidyBatch, line: engine.Line, reason: str, detail: str) -> SubsidyHold:
    if reason == "unpaid" and "/" in detail:
        got, due = (int(x) for x in detail.split("/"))
        detail = f"到账 {format_fen(got)} / 合同 {format_fen(due)} 元"
    return SubsidyHold(
        batch=batch,
        organization_id=line.entity_id,
        deal_code=line.ref,
        rule=line.rule,
        amount_fen=line.amount_fen,
        reason=reason,
        detail=detail[:200],
    )


def application_reject(*, actor: User, application_id: int, reason: str) -> SubsidyApplication:
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


def batch_approve(*, actor: User, batch_id: int) -> SubsidyBatch:
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


def payout_xlsx(batch: SubsidyBatch) -> bytes:
    apps = batch.applications.select_related("organization").prefetch_related("lines")
    payouts = [
        (
            a.organization.name,
            a.organization.credit_code,
            format_fen(a.claimed_fen),
            format_fen(a.capped_fen),
            format_fen(a.paid_fen),
            "不予奖补: " + a.reject_reason if a.rejected else "",
        )
        for a in apps
    ]
    lines = [
        (a.organization.name, line.deal_code, line.rule, format_fen(line.amount_fen))
        for a in apps
        for line in a.lines.all()
    ]
    summary = [
        ("方案", batch.name),
        ("期间", f"{batch.period_start} — {batch.period_end}"),
        ("状态", batch.get_status_display()),
        ("申报合计(元)", format_fen(batch.total_claimed_fen)),
        ("封顶后(元)", format_fen(batch.total_capped_fen)),
        ("拨付合计(元)", format_fen(batch.total_paid_fen)),
        ("按比例分配", "是" if batch.scaled else "否"),
        (
            "方案版本",
            f"{batch.scheme_code} 第 {batch.scheme_version.number} 版"
            if batch.scheme_version
            else "旧版预设",
        ),
        ("依据", batch_scheme(batch).source),
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
