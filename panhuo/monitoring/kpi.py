"""KPI programmes: create (from presets or by hand), evaluate against the aggregates, snapshot bi-monthly."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from engine.monitoring import kpi as engine_kpi
from panhuo.accounts.models import Organization, OrganizationType, Role, User
from panhuo.accounts.visibility import office_prefix, region_scope_validate
from panhuo.common.audit import audit_record
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.monitoring.metrics import METRICS, AggregateReader, DirectReader, ScopeReader, metric_value
from panhuo.monitoring.models import KpiIndicator, KpiProgramme, KpiSnapshot
from panhuo.monitoring.regions import Period, parse_period, period_of

PRESETS: dict[str, tuple[str, tuple[engine_kpi.IndicatorSpec, ...], str]] = {
    "cq-gxq": ("重庆高新区专利转化专项计划绩效目标", engine_kpi.CQ_INDICATORS, engine_kpi.CQ_SOURCE),
    "jilin": ("吉林省专利转化行动计划年度增长目标", engine_kpi.JL_INDICATORS, engine_kpi.JL_SOURCE),
}
KINDS = ("cumulative", "level", "growth")


def programme_scope(programme: KpiProgramme) -> tuple[str, ...]:
    return tuple(programme.scope or [programme.region_prefix])


def _reader(prefixes: tuple[str, ...]) -> DirectReader:
    return AggregateReader(prefixes[0]) if len(prefixes) == 1 else ScopeReader(prefixes)


def programme_scope_set(*, actor: User, programme: KpiProgramme, codes: list[str]) -> KpiProgramme:
    """Change what a programme measures (a set of region codes inside the office's region); audited."""
    programme_get(actor=actor, code=programme.code)
    own = office_prefix(actor)
    if own is None:
        raise PermissionRefused("知识产权局未设置行政区划", "the office has no region")
    scope = region_scope_validate(codes, own=own)
    with transaction.atomic():
        old = programme_scope(programme)
        programme.scope = scope
        programme.save(update_fields=["scope", "updated_at"])
        audit_record(
            "kpi.programme_scope", actor=actor, obj=programme, detail={"from": list(old), "to": scope}
        )
    return programme


def _office_of(user: User) -> Organization:
    if getattr(user, "role", None) != Role.OFFICE_OFFICIAL or user.organization is None:
        raise PermissionRefused(
            "仅知识产权局用户可管理 KPI 方案", "Only IP office users manage KPI programmes"
        )
    if user.organization.type != OrganizationType.IP_OFFICE:
        raise PermissionRefused()
    return user.organization


def programme_create(
    *,
    actor: User,
    code: str,
    name: str,
    start: date,
    end: date,
    indicators: list[dict[str, Any]] | None = None,
    preset: str = "",
    region_prefix_override: str | None = None,
    scope: list[str] | None = None,
    is_demo: bool = False,
) -> KpiProgramme:
    """A programme for the actor's office; `preset` copies the seed indicators (cq-gxq, jilin)."""
    office = _office_of(actor)
    if end < start:
        raise ApplicationError("bad_period", "结束日期早于开始日期", "end is before start", field="end")
    if not code.strip():
        raise ApplicationError("required", "请填写编号", "code is required", field="code")
    own = office_prefix(actor)
    if own is None:
        raise PermissionRefused("知识产权局未设置行政区划", "the office has no region")
    prefix = own if region_prefix_override is None else region_prefix_override
    if not prefix.startswith(own):
        raise PermissionRefused("只能为本辖区设置方案", "A programme may only cover the office's own region")
    source = ""
    specs: list[dict[str, Any]] = []
    if preset:
        if preset not in PRESETS:
            raise ApplicationError("unknown_preset", "未知的预设方案", "unknown preset", field="preset")
        _title, preset_specs, source = PRESETS[preset]
        specs = [asdict(s) for s in preset_specs]
        if scope is None:
            scope = [c for c in engine_kpi.PRESET_SCOPES.get(preset, ()) if c.startswith(prefix)] or None
    specs += indicators or []
    if not specs:
        raise ApplicationError(
            "no_indicators", "至少需要一个指标", "at least one indicator", field="indicators"
        )
    for spec in specs:
        if spec["metric"] not in METRICS and spec["metric"] != "manual":
            raise ApplicationError(
                "unknown_metric", f"未知指标口径 {spec['metric']}", "unknown metric", "metric"
            )
        if spec["kind"] not in KINDS:
            raise ApplicationError("bad_kind", "指标类型无效", "bad indicator kind", field="kind")
        if int(spec["target"]) <= 0 or int(spec.get("weight", 10)) < 0:
            raise ApplicationError("bad_target", "目标值须为正数", "target must be positive", field="target")
    scope_prefixes = region_scope_validate(scope, own=prefix) if scope else [prefix]
    try:
        with transaction.atomic():
            programme = KpiProgramme.objects.create(
                office=office,
                scope=scope_prefixes,
                code=code.strip(),
                name=name,
                region_prefix=prefix,
                start=start,
                end=end,
                preset=preset,
                source=source,
                created_by=actor,
                is_demo=is_demo,
            )
            KpiIndicator.objects.bulk_create(
                KpiIndicator(
                    programme=programme,
                    code=s["code"],
                    name=s["name"],
                    metric=s["metric"],
                    kind=s["kind"],
                    target=int(s["target"]),
                    unit=s["unit"],
                    weight=int(s.get("weight", 10)),
                    position=i,
                )
                for i, s in enumerate(specs)
            )
            audit_record(
                "kpi.programme_create",
                actor=actor,
                obj=programme,
                detail={"code": programme.code, "preset": preset, "indicators": len(specs)},
            )
    except IntegrityError:
        raise ApplicationError(
            "duplicate", "编号或指标代码重复", "duplicate programme or indicator code", "code"
        )
    return programme


def indicator_set_manual(*, actor: User, indicator: KpiIndicator, value: int | None) -> KpiIndicator:
    programme_get(actor=actor, code=indicator.programme.code)
    with transaction.atomic():
        old = indicator.manual_actual
        indicator.manual_actual = value
        indicator.save(update_fields=["manual_actual"])
        audit_record("kpi.indicator_manual", actor=actor, obj=indicator, detail={"from": old, "to": value})
    return indicator


def programmes_visible(user: User) -> Any:
    if getattr(user, "role", None) == Role.OFFICE_OFFICIAL and user.organization_id:
        return KpiProgramme.objects.filter(office_id=user.organization_id)
    return KpiProgramme.objects.none()


def programme_get(*, actor: User, code: str) -> KpiProgramme:
    programme = programmes_visible(actor).filter(code=code).first()
    if programme is None:
        raise NotFound()
    return programme


def programme_evaluate(
    programme: KpiProgramme, *, as_of: date | None = None, indicators: list[KpiIndicator] | None = None
) -> dict[str, Any]:
    """Progress, forecast and laggards of every indicator at `as_of` (default today, clamped to the period).
    `indicators`: the programme's indicators when the caller has already read them (one query less)."""
    today = as_of or timezone.localdate()
    as_of_c = min(max(today, programme.start), programme.end)
    results: list[engine_kpi.IndicatorResult] = []
    prefixes = programme_scope(programme)
    reader = _reader(prefixes)  # the programme's aggregate rows, read once per prefix
    for ind in programme.indicators.all() if indicators is None else indicators:
        spec = engine_kpi.IndicatorSpec(
            ind.code, ind.name, ind.metric, ind.kind, ind.target, ind.unit, ind.weight
        )
        base: int | None = None
        start, end = programme.start, programme.end
        if ind.kind == "growth":
            start, end = max(date(as_of_c.year, 1, 1), programme.start), date(as_of_c.year, 12, 31)
            prev_start, prev_end = date(as_of_c.year - 1, 1, 1), date(as_of_c.year - 1, 12, 31)
            base = (
                ind.manual_actual
                if ind.metric == "manual"
                else metric_value(
                    ind.metric, prefix=reader.prefix, start=prev_start, end=prev_end, reader=reader
                )
            )
        if ind.manual_actual is not None and (ind.metric == "manual" or ind.kind != "growth"):
            actual = ind.manual_actual
        elif ind.metric == "manual":
            actual = 0
        else:
            actual = metric_value(ind.metric, prefix=reader.prefix, start=start, end=as_of_c, reader=reader)
        results.append(
            engine_kpi.evaluate(spec, actual=actual, base=base, start=start, end=end, as_of=as_of_c)
        )
    return {
        "programme": programme.code,
        "name": programme.name,
        "region_prefix": programme.region_prefix,
        "scope": list(prefixes),
        "start": programme.start.isoformat(),
        "end": programme.end.isoformat(),
        "as_of": as_of_c.isoformat(),
        "source": programme.source,
        "score_bp": engine_kpi.weighted_score_bp(results),
        "indicators": [asdict(r) for r in results],
        "laggards": [r.code for r in engine_kpi.laggards(results)],
    }


def snapshot_take(
    *, programme: KpiProgramme, period: Period | str | None = None, actor: User | None = None
) -> KpiSnapshot:
    """Freeze the evaluation at the end of a bi-month (or today, if the bi-month is running); idempotent per period."""
    p = parse_period(period) if isinstance(period, str) else (period or period_of(timezone.localdate()))
    if p.bimonth is None:
        raise ApplicationError(
            "bad_period", "快照按双月(如 2026-B5)", "snapshots are bi-monthly", field="period"
        )
    as_of = min(p.end, timezone.localdate())
    data = programme_evaluate(programme, as_of=as_of)
    with transaction.atomic():
        snap, created = KpiSnapshot.objects.get_or_create(
            programme=programme,
            period=p.label,
            defaults={
                "as_of": date.fromisoformat(data["as_of"]),
                "score_bp": data["score_bp"],
                "results": data,
            },
        )
        if created:
            audit_record(
                "kpi.snapshot",
                actor=actor,
                tenant_id=programme.office_id,
                obj=snap,
                detail={"programme": programme.code, "period": p.label},
            )
    return snap
