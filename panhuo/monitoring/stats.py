"""Statistics selectors: who sees which region, and the dashboard read from the pre-aggregates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from engine.monitoring import rates
from panhuo.accounts.models import HOLDER_TYPES, INSTITUTION_STAFF, Organization, Role, User
from panhuo.accounts.visibility import college_scope, drilldown_refused, office_prefix
from panhuo.common.errors import PermissionRefused
from panhuo.common.labels import region_name
from panhuo.deals.models import DealKind
from panhuo.monitoring.aggregates import response_summary
from panhuo.monitoring.models import (
    AggregateBuild,
    DealAggregate,
    DistinctAggregate,
    IndustryDealAggregate,
    InstitutionDealAggregate,
    InstitutionYearAggregate,
    InventoryAggregate,
    InventoryRegionAggregate,
    ResponseAggregate,
    SubRegionAggregate,
)
from panhuo.monitoring.regions import Period
from panhuo.patents.models import PatentType

KIND_LABELS = dict(DealKind.choices)
TYPE_LABELS = dict(PatentType.choices)
INV_FIELDS = ("total", "filed", "pooled", "valid", "converted", "implemented", "industrialised")


@dataclass(frozen=True)
class Scope:
    """What the acting user may see: a region prefix (offices) or one institution (institution staff)."""

    prefix: str
    institution_id: int | None
    label: str
    college_id: int | None = None  # a college admin's record lists: its college only


def scope_for(user: User, *, prefix: str | None = None, drilldown: bool = False) -> Scope:
    """What `user` may see (accounts.visibility decides); `drilldown`: record-level lists, not totals."""
    role = getattr(user, "role", None)
    org: Organization | None = getattr(user, "organization", None)
    if drilldown and drilldown_refused(user):
        raise PermissionRefused(
            "系统管理员不查看业务数据明细（三员分立）", "admin roles see no business records"
        )
    if role == Role.OFFICE_OFFICIAL and org is not None:
        own = office_prefix(user)
        if own is None:
            raise PermissionRefused("知识产权局未设置行政区划，无可查看的辖区", "the office has no region")
        chosen = own if not prefix else prefix
        if not chosen.startswith(own):
            raise PermissionRefused("只能查看本辖区统计", "Offices see their own region only")
        return Scope(chosen, None, f"{org.name} · {region_name(chosen)}")
    if role in INSTITUTION_STAFF and org is not None:
        return Scope("", org.id, org.name, college_scope(user))
    if role == Role.SYSTEM_ADMIN:
        return Scope(prefix or "", None, "全国")
    raise PermissionRefused("无权查看统计", "Not allowed to see statistics")


def _kind_totals(qs: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for row in (
        qs.values("kind")
        .annotate(d=Sum("deals"), p=Sum("patents"), c=Sum("contract_fen"), r=Sum("received_fen"))
        .order_by("kind")
    ):
        out[row["kind"]] = {
            "deals": row["d"],
            "patents": row["p"],
            "contract_fen": row["c"],
            "received_fen": row["r"],
        }
    return out


def _distinct(prefix: str, year: int, side: str = "S") -> dict[str, int]:
    return dict(
        DistinctAggregate.objects.filter(side=side, region_prefix=prefix, year=year).values_list(
            "metric", "value"
        )
    )


def inventory_totals(scope: Scope) -> dict[str, int]:
    if scope.institution_id is not None:
        qs: Any = InventoryAggregate.objects.filter(institution_id=scope.institution_id)
    else:
        qs = InventoryRegionAggregate.objects.filter(region_prefix=scope.prefix)
    row = qs.aggregate(**{f: Sum(f) for f in INV_FIELDS})
    return {f: row[f] or 0 for f in INV_FIELDS}


def response_hours(scope: Scope, year: int) -> dict[str, float | int | None]:
    """Institutions' response time to enterprise needs: answered_at − need.published_at, in hours, from the
    pre-aggregate (one row: per institution, or per region prefix of the answering institutions)."""
    if scope.institution_id is not None:
        qs = ResponseAggregate.objects.filter(institution_id=scope.institution_id, year=year)
    else:
        qs = ResponseAggregate.objects.filter(institution__isnull=True, region_prefix=scope.prefix, year=year)
    row = qs.values_list("answers", "total_ms", "median_ms").first()
    return response_summary(*row) if row else response_summary(0, 0, 0)


def dashboard(scope: Scope, period: Period, *, side: str = "S") -> dict[str, Any]:
    """Everything the office dashboard shows, from the aggregates (each block names its drill-down filter)."""
    year, bms = period.year, period.bimonths
    if scope.institution_id is not None:
        return institution_dashboard(scope, period)
    base = DealAggregate.objects.filter(side=side, region_prefix=scope.prefix)
    now_qs = base.filter(year=year, bimonth__in=bms)
    prev_qs = base.filter(year=year - 1, bimonth__in=bms)
    totals = _kind_totals(now_qs)
    previous = _kind_totals(prev_qs)
    for kind, t in totals.items():
        p = previous.get(kind, {})
        t["yoy_deals_percent"] = rates.growth_percent(current=t["deals"], previous=p.get("deals", 0))  # type: ignore[assignment]
        t["yoy_contract_percent"] = rates.growth_percent(  # type: ignore[assignment]
            current=t["contract_fen"], previous=p.get("contract_fen", 0)
        )
    trend: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
    for trow in base.filter(year=year).values("kind", "bimonth").annotate(d=Sum("deals")).order_by():
        trend[trow["kind"]][trow["bimonth"] - 1] = trow["d"]
    by_type = {
        row["patent_type"]: row["d"]
        for row in now_qs.values("patent_type").annotate(d=Sum("deals")).order_by("patent_type")
    }
    sub_regions: list[dict[str, Any]] = []
    for row in (
        SubRegionAggregate.objects.filter(side=side, parent_prefix=scope.prefix, year=year, bimonth__in=bms)
        .values("region_prefix")
        .annotate(d=Sum("deals"), c=Sum("contract_fen"), r=Sum("received_fen"))
        .order_by("-d", "region_prefix")[:40]
    ):
        sub_regions.append(
            {
                "region": row["region_prefix"],
                "deals": row["d"],
                "contract_fen": row["c"],
                "received_fen": row["r"],
            }
        )
    # 高校院所排名 ranks universities and institutes only (a deal's holder may be an enterprise)
    inst_qs = InstitutionYearAggregate.objects.filter(
        year=year, region_prefix=scope.prefix, institution__type__in=HOLDER_TYPES
    )
    top = list(
        inst_qs.order_by("-deals", "institution_id").values(
            "institution_id", "name", "deals", "contract_fen", "received_fen"
        )[:20]
    )
    industries: dict[str, list[dict[str, Any]]] = {}
    for scheme in ("gbt4754", "sei"):
        industries[scheme] = [
            {"code": r["code"], "name": r["name"], "deals": r["deals"], "patents": r["patents"]}
            for r in IndustryDealAggregate.objects.filter(
                side=side, region_prefix=scope.prefix, year=year, scheme=scheme
            )
            .values("code", "name", "deals", "patents")
            .order_by("-deals", "code")[:15]
        ]
    inv = inventory_totals(scope)
    distinct = _distinct(scope.prefix, year, side)
    distinct_e = _distinct(scope.prefix, year, "E")
    valid = inv["valid"]
    build = AggregateBuild.objects.first()
    return {
        "scope": scope.label,
        "region_prefix": scope.prefix,
        "period": period.label,
        "side": side,
        "totals": totals,
        "trend": dict(trend),
        "by_patent_type": by_type,
        "sub_regions": sub_regions,
        "top_institutions": [
            {
                "id": r["institution_id"],
                "name": r["name"],
                "deals": r["deals"],
                "contract_fen": r["contract_fen"],
                "received_fen": r["received_fen"],
            }
            for r in top
        ],
        "industries": industries,
        "inventory": inv,
        "rates": {
            "filing_rate": rates.filing_rate(filed=inv["filed"], total=inv["total"]).as_dict(),
            "pooling_rate": rates.pooling_rate(pooled=inv["pooled"], total=inv["total"]).as_dict(),
            "transfer_rate": rates.transfer_rate(
                transferred=distinct.get("transferred_patents", 0), valid=valid
            ).as_dict(),
            "licence_rate": rates.licence_rate(
                licensed=distinct.get("licensed_patents", 0), valid=valid
            ).as_dict(),
            "implementation_rate": rates.implementation_rate(
                implemented=inv["implemented"], valid=valid
            ).as_dict(),
            "industrialisation_rate": rates.industrialisation_rate(
                industrialised=inv["industrialised"], valid=valid
            ).as_dict(),
        },
        "smes_served": distinct_e.get("smes_served", 0),
        "smes_served_by_institutions": distinct_e.get("smes_served_by_institutions", 0),
        "response_time": response_hours(scope, year),
        "aggregates_built_at": build.finished_at.isoformat() if build and build.finished_at else None,
    }


def institution_dashboard(scope: Scope, period: Period) -> dict[str, Any]:
    """An institution's own statistics: its deals per kind and its inventory per college."""
    year = period.year
    own = InstitutionDealAggregate.objects.filter(institution_id=scope.institution_id)
    totals = _kind_totals(own.filter(year=year))
    previous = _kind_totals(own.filter(year=year - 1))
    for kind, t in totals.items():
        t["yoy_deals_percent"] = rates.growth_percent(  # type: ignore[assignment]
            current=t["deals"], previous=previous.get(kind, {}).get("deals", 0)
        )
    colleges = []
    crow: Any
    for crow in (
        InventoryAggregate.objects.filter(institution_id=scope.institution_id)
        .values("college_id", "college__name")
        .annotate(**{f: Sum(f) for f in INV_FIELDS})
        .order_by("college__name")
    ):
        colleges.append(
            {
                "college_id": crow["college_id"],
                "college": crow["college__name"] or "(未分配学院)",
                **{f: crow[f] for f in INV_FIELDS},
                "filing_rate": rates.filing_rate(filed=crow["filed"], total=crow["total"]).percent(),
                "pooling_rate": rates.pooling_rate(pooled=crow["pooled"], total=crow["total"]).percent(),
            }
        )
    inv = inventory_totals(scope)
    return {
        "scope": scope.label,
        "institution_id": scope.institution_id,
        "period": period.label,
        "totals": totals,
        "inventory": inv,
        "colleges": colleges,
        "rates": {
            "filing_rate": rates.filing_rate(filed=inv["filed"], total=inv["total"]).as_dict(),
            "pooling_rate": rates.pooling_rate(pooled=inv["pooled"], total=inv["total"]).as_dict(),
            "implementation_rate": rates.implementation_rate(
                implemented=inv["implemented"], valid=inv["valid"]
            ).as_dict(),
            "industrialisation_rate": rates.industrialisation_rate(
                industrialised=inv["industrialised"], valid=inv["valid"]
            ).as_dict(),
        },
        "response_time": response_hours(scope, year),
    }


def deals_drilldown(
    scope: Scope,
    *,
    period: Period,
    side: str = "S",
    kind: str = "",
    institution_id: int | None = None,
    region: str = "",
    patent_type: str = "",
) -> Any:
    """The deals behind a dashboard number, filtered the way the aggregates count them."""
    from django.db.models import Q as _Q

    from panhuo.deals.models import CONTRACT_STATES, Deal
    from panhuo.monitoring.aggregates import ENTERPRISE_ROLE

    months = [m for b in period.bimonths for m in (2 * b - 1, 2 * b)]
    qs = Deal.objects.filter(state__in=CONTRACT_STATES).filter(
        _Q(contract_date__year=period.year, contract_date__month__in=months)
        | _Q(contract_date__isnull=True, created_at__year=period.year, created_at__month__in=months)
    )
    if scope.institution_id is not None:
        qs = qs.filter(institution_id=scope.institution_id)
    prefix = region if region and region.startswith(scope.prefix) else scope.prefix
    if prefix:
        if side == "E":
            ent = _Q(kind="pledge", institution__region_code__startswith=prefix)
            for k, role in ENTERPRISE_ROLE.items():
                ent |= _Q(kind=k, parties__role=role, parties__organization__region_code__startswith=prefix)
            qs = qs.filter(ent)
        else:
            qs = qs.filter(institution__region_code__startswith=prefix)
    if kind:
        qs = qs.filter(kind=kind)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if patent_type:
        qs = qs.filter(deal_patents__patent__patent_type=patent_type)
    return qs.select_related("institution").distinct().order_by("-contract_date", "-id")


def inventory_drilldown(
    scope: Scope,
    *,
    state: str = "",
    institution_id: int | None = None,
    college_id: int | None = None,
    valid: bool = False,
) -> Any:
    from panhuo.patents.models import InventoryRecord, LegalStatus

    qs = InventoryRecord.objects.all()
    if scope.institution_id is not None:
        qs = qs.filter(organization_id=scope.institution_id)
    if scope.college_id is not None:
        qs = qs.filter(college_id=scope.college_id)
    elif scope.prefix:
        qs = qs.filter(organization__region_code__startswith=scope.prefix)
    if state == "filed":
        qs = qs.exclude(state="unfiled")
    elif state:
        qs = qs.filter(state=state)
    if institution_id:
        qs = qs.filter(organization_id=institution_id)
    if college_id:
        qs = qs.filter(college_id=college_id)
    if valid:
        qs = qs.filter(patent__legal_status=LegalStatus.VALID)
    return qs.select_related("patent", "organization", "college").order_by("-id")
