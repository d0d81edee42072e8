"""Abnormal-deal detection over the whole database (a Huey job and `panhuo anomalies`), and case review."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from engine.monitoring.anomaly import RULES, Case, DealFact, PartyFact, Thresholds, run_rules
from panhuo.accounts.models import Organization, Role, User
from panhuo.accounts.visibility import office_prefix
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import (
    CONTRACT_STATES,
    Deal,
    DealInventor,
    DealParty,
    DealPatent,
    Filing,
    FilingKind,
    PaymentInstalment,
)
from panhuo.demand.models import EnterpriseProfile
from panhuo.monitoring.aggregates import ENTERPRISE_ROLE
from panhuo.monitoring.models import AnomalyCase, AnomalyRuleConfig, AnomalyRun, CaseStatus
from panhuo.patents.models import Patent, PatentIndustry

CHUNK = 20_000


def thresholds_current() -> tuple[Thresholds, set[str]]:
    params: dict[str, Any] = {}
    enabled = set(RULES)
    for cfg in AnomalyRuleConfig.objects.all():
        params.update(cfg.params or {})
        if not cfg.enabled:
            enabled.discard(cfg.rule)
    return Thresholds.from_dict(params), enabled


def rule_configure(*, actor: User, rule: str, enabled: bool, params: dict[str, Any]) -> AnomalyRuleConfig:
    if getattr(actor, "role", None) != Role.OFFICE_OFFICIAL:
        raise PermissionRefused()
    if rule not in RULES:
        raise ApplicationError("unknown_rule", "未知规则", "unknown rule", field="rule")
    known = set(Thresholds.__dataclass_fields__)
    bad = sorted(set(params) - known)
    if bad or any(not isinstance(v, int) or v < 0 for v in params.values()):
        raise ApplicationError(
            "bad_params", f"阈值无效: {bad}", "thresholds must be known non-negative ints", "params"
        )
    with transaction.atomic():
        cfg, _ = AnomalyRuleConfig.objects.update_or_create(
            rule=rule, defaults={"enabled": enabled, "params": params}
        )
        audit_record(
            "anomaly.rule_configure", actor=actor, obj=cfg, detail={"enabled": enabled, "params": params}
        )
    return cfg


def deal_facts() -> list[DealFact]:
    """Every deal in a contract state as an engine fact (holder, enterprise side, filings, inventors, industries)."""
    live = Q(deal__state__in=CONTRACT_STATES)
    industry_of = dict(
        EnterpriseProfile.objects.exclude(industry_code="").values_list("organization_id", "industry_code")
    )
    orgs: dict[int, PartyFact] = {}
    for pk, name, typ, addr, rep in Organization.objects.values_list(
        "id", "name", "type", "address", "legal_representative"
    ).iterator(CHUNK):
        code = industry_of.get(pk)
        orgs[pk] = PartyFact(pk, name, typ, addr, rep, (code,) if code else ())
    enterprise_of: dict[int, int] = {}
    for deal_id, kind, role, org_id in (
        DealParty.objects.filter(live)
        .values_list("deal_id", "deal__kind", "role", "organization_id")
        .order_by("id")
        .iterator(CHUNK)
    ):
        if ENTERPRISE_ROLE.get(kind) == role:
            enterprise_of.setdefault(deal_id, org_id)
    patents: dict[int, list[int]] = defaultdict(list)
    for deal_id, patent_id in (
        DealPatent.objects.filter(live).values_list("deal_id", "patent_id").order_by("id").iterator(CHUNK)
    ):
        patents[deal_id].append(patent_id)
    wanted = {p for ps in patents.values() for p in ps}
    keys: dict[int, str] = {}
    inventors: dict[int, tuple[str, ...]] = {}
    for pk, app_no, pub_no, pub_kind, inv in (
        Patent.objects.filter(deal_links__deal__state__in=CONTRACT_STATES)
        .values_list("id", "app_no", "pub_no", "pub_kind", "inventors")
        .distinct()
        .iterator(CHUNK)
    ):
        keys[pk] = app_no or f"{pub_no}{pub_kind}"
        inventors[pk] = tuple(str(i) for i in (inv or []))
    industries: dict[int, set[str]] = defaultdict(set)
    for pid, code in (
        PatentIndustry.objects.filter(scheme=PatentIndustry.Scheme.GBT4754)
        .values_list("patent_id", "code")
        .iterator(CHUNK)
    ):
        if pid in wanted:
            industries[pid].add(code)
    licence_filed: dict[int, date] = {}
    tech_contract: set[int] = set()
    for deal_id, kind, filed_on in (
        Filing.objects.filter(live).values_list("deal_id", "kind", "filed_on").iterator(CHUNK)
    ):
        if kind == FilingKind.TECH_CONTRACT:
            tech_contract.add(deal_id)
        elif kind == FilingKind.LICENCE_FILING:
            licence_filed[deal_id] = filed_on
    team: dict[int, list[str]] = defaultdict(list)
    for deal_id, name in DealInventor.objects.filter(live).values_list("deal_id", "name").iterator(CHUNK):
        team[deal_id].append(name)
    schedule: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for deal_id, due, fen in (
        PaymentInstalment.objects.filter(live, deal__pay_after_use=True)
        .values_list("deal_id", "due_date", "amount_fen")
        .iterator(CHUNK)
    ):
        schedule[deal_id].append((due, fen))
    empty = PartyFact(0, "")
    facts: list[DealFact] = []
    for pk, kind, contract_date, created_at, contract, received, holder, after_use in (
        Deal.objects.filter(state__in=CONTRACT_STATES)
        .values_list(
            "id",
            "kind",
            "contract_date",
            "created_at",
            "contract_amount_fen",
            "received_fen",
            "institution_id",
            "pay_after_use",
        )
        .order_by("id")
        .iterator(CHUNK)
    ):
        pids = tuple(patents.get(pk, ()))
        ent = enterprise_of.get(pk)
        first = pids[0] if pids else None
        facts.append(
            DealFact(
                id=pk,
                kind=kind,
                patent_ids=pids,
                patent_keys=tuple(keys.get(p, str(p)) for p in pids),
                seller=orgs.get(holder, empty),
                buyer=orgs.get(ent, empty) if ent else empty,
                signed_on=contract_date or timezone.localdate(created_at),
                contract_fen=contract,
                received_fen=received,
                filed_on=licence_filed.get(pk),
                tech_contract_registered=pk in tech_contract,
                inventors_before=inventors.get(first, ()) if first else (),
                inventors_after=tuple(team.get(pk, ())),
                patent_industry_codes=tuple(sorted({c for p in pids for c in industries.get(p, ())})),
                pay_after_use=after_use,
                schedule=tuple(sorted(schedule.get(pk, ()))),
            )
        )
    return facts


def anomalies_run(*, as_of: date | None = None, actor: User | None = None) -> tuple[AnomalyRun, list[Case]]:
    """Run every enabled rule over all deals; upsert cases by fingerprint (a reviewed case keeps its verdict)."""
    t0 = time.perf_counter()
    run = AnomalyRun.objects.create(started_at=timezone.now())
    facts = deal_facts()
    thresholds, enabled = thresholds_current()
    cases = run_rules(facts, as_of=as_of or timezone.localdate(), thresholds=thresholds, enabled=enabled)
    region_of_deal = {
        pk: region
        for pk, region in Deal.objects.filter(state__in=CONTRACT_STATES)
        .values_list("id", "institution__region_code")
        .iterator(CHUNK)
    }
    by_fp = {c.fingerprint: c for c in cases}
    fps = list(by_fp)
    existing: set[str] = set()
    for i in range(0, len(fps), 900):
        existing.update(
            AnomalyCase.objects.filter(fingerprint__in=fps[i : i + 900]).values_list("fingerprint", flat=True)
        )
    new = [
        AnomalyCase(
            rule=c.rule,
            fingerprint=c.fingerprint,
            deal_ids=list(c.deal_ids),
            patents=list(c.patents),
            parties=list(c.parties),
            region_code=region_of_deal.get(c.deal_ids[0], ""),
            confidence=c.confidence,
            evidence=c.evidence,
            last_run=run,
        )
        for fp, c in by_fp.items()
        if fp not in existing
    ]
    with transaction.atomic():
        AnomalyCase.objects.bulk_create(new, batch_size=2000)
        old = [fp for fp in fps if fp in existing]
        for i in range(0, len(old), 900):
            AnomalyCase.objects.filter(fingerprint__in=old[i : i + 900]).update(last_run=run)
        run.finished_at = timezone.now()
        run.seconds = round(time.perf_counter() - t0, 3)
        run.deals_scanned = len(facts)
        run.cases_found = len(cases)
        run.cases_new = len(new)
        run.save()
        audit_record(
            "anomaly.run",
            actor=actor,
            obj=run,
            detail={"deals": len(facts), "cases": len(cases), "new": len(new)},
        )
    return run, cases


def cases_visible(user: User) -> QuerySet[AnomalyCase]:
    """Office users see the cases whose holder is in their region; nobody else sees any."""
    prefix = office_prefix(user)
    if prefix is None:
        return AnomalyCase.objects.none()
    return AnomalyCase.objects.filter(region_code__startswith=prefix)


def case_review(*, actor: User, case_id: int, verdict: str, reason: str) -> AnomalyCase:
    if verdict not in (CaseStatus.CONFIRMED, CaseStatus.DISMISSED):
        raise ApplicationError(
            "bad_verdict", "结论须为确认或排除", "verdict must be confirmed or dismissed", "verdict"
        )
    if not reason.strip():
        raise ApplicationError("reason_required", "请填写核查意见", "a reason is required", field="reason")
    with transaction.atomic():
        case = cases_visible(actor).select_for_update().filter(pk=case_id).first()
        if case is None:
            raise NotFound()
        old = case.status
        case.status = verdict
        case.reason = reason.strip()
        case.reviewed_by = actor
        case.reviewed_at = timezone.now()
        case.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at", "updated_at"])
        audit_record(
            "anomaly.case_review",
            actor=actor,
            obj=case,
            detail={"from": old, "to": verdict, "reason": case.reason, "rule": case.rule},
        )
    return case


def case_json(c: Case | AnomalyCase) -> dict[str, Any]:
    return {
        "rule": c.rule,
        "patents": list(c.patents),
        "parties": list(c.parties),
        "confidence": c.confidence,
        "evidence": c.evidence,
        "deals": list(c.deal_ids),
    }
