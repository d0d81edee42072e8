"""Assemble the landscape of a scope for the page, the report and the command line (one dict, one code path)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from engine.landscape import UNKNOWN_YEAR
from engine.landscape.columns import analyse_table
from panhuo.accounts.models import User
from panhuo.navigation.conversion import conversion_picture, demand_picture, subclass_counts
from panhuo.navigation.models import ClusterRun
from panhuo.navigation.scope import ScopeDefinition, parse_scope
from panhuo.navigation.selectors import (
    Visibility,
    known_holder_types,
    label_figures,
    landscape_visibility,
    region_comparison,
    scope_get,
    scope_rows_status,
)


def _region_name(prefix: str) -> str:
    from panhuo.accounts.models import Organization, OrganizationType

    office = (
        Organization.objects.filter(type=OrganizationType.IP_OFFICE, region_code=prefix.ljust(6, "0"))
        .values_list("name", flat=True)
        .first()
    )
    return office.replace("知识产权局", "").strip() if office else ""


def stored_clusters(run: ClusterRun | None, visible_ids: set[int]) -> dict[str, Any] | None:
    """A finished run's clusters as this viewer may see them: members outside the viewer's scope rows dropped."""
    if run is None:
        return None
    clusters = []
    for c in run.clusters:
        ids = [i for i in c.get("patent_ids", []) if i in visible_ids]
        if not ids:
            continue
        clusters.append(
            {
                **{k: v for k, v in c.items() if k != "patent_ids"},
                "patents": len(ids),
                "computed_patents": c["patents"],
            }
        )
    return {
        "run_id": run.pk,
        "computed_at": run.finished_at,
        "patents": run.patents,
        "vectors": run.vectors,
        "note": run.note,
        "seconds": run.seconds,
        "clusters": clusters,
        "emerging": [c for c in clusters if c["emerging"]],
        "matches": run.matches,
    }


def landscape(
    definition: ScopeDefinition,
    visibility: Visibility,
    *,
    clusters: dict[str, Any] | None = None,
    with_region: bool = True,
) -> dict[str, Any]:
    """Every figure of one scope: trend, holders, teams, composition, conversion, demand, region, clusters."""
    known = known_holder_types()
    found = scope_rows_status(definition, visibility.records, known_types=known)
    table = found.table
    figures = label_figures(analyse_table(table, known_holder_types=known))
    figures["pending_facts"] = found.pending
    ids = table.patent_id.tolist()
    figures["conversion"] = conversion_picture(ids)
    figures["demand"] = demand_picture(definition, ids, subclass_counts(table))
    figures["region_comparison"] = (
        region_comparison(definition, visibility, len(table)) if with_region and definition.region else None
    )
    region_name = _region_name(definition.region) if definition.region else ""
    figures["scope"] = definition.to_json()
    figures["scope_lines"] = definition.describe(region_name=region_name)
    figures["region_name"] = region_name
    figures["visibility"] = visibility.label
    figures["data_date"] = timezone.localdate().isoformat()
    figures["unknown_year_label"] = UNKNOWN_YEAR
    figures["clusters"] = clusters
    figures["visible_ids"] = set(ids)
    return figures


def cli_json(figures: dict[str, Any]) -> dict[str, Any]:
    """The `panhuo landscape --json` shape: exactly the keys the issue names."""
    return {
        "scope": figures["scope"],
        "patents": figures["patents"],
        "by_year": figures["by_year"],
        "holders": [
            {"name": h["name"], "type": h["type"], "patents": h["patents"], "share": h["share"]}
            for h in figures["holders"]
        ],
        "concentration": {"cr4": figures["concentration"]["cr4"], "hhi": figures["concentration"]["hhi"]},
        "ipc": [{"code": r["code"], "title": r["title"], "patents": r["patents"]} for r in figures["ipc"]],
        "clusters": [
            {"label": c["label"], "terms": c["terms"], "patents": c["patents"], "growth": c["growth"]}
            for c in (figures["clusters"] or {}).get("clusters", [])
        ],
        "conversion": {
            "pooled": figures["conversion"]["pooled"],
            "pooled_share": figures["conversion"]["pooled_share"],
            **{
                k["kind"]: {"deals": k["deals"], "patents": k["patents"], "amount_fen": k["amount_fen"]}
                for k in figures["conversion"]["kinds"]
            },
            "open_licence_listings": figures["conversion"]["open_licence_listings"],
            "high_value": figures["conversion"]["high_value"],
            "sleeping": figures["conversion"]["sleeping"],
        },
        "demand": {
            "open_needs": figures["demand"]["open_needs"],
            "good_matches": ((figures["clusters"] or {}).get("matches") or {}).get("good"),
            "white_space": [r["code"] for r in figures["demand"]["white_space"]],
            "no_demand": [r["code"] for r in figures["demand"]["no_demand"]],
        },
    }


def api_json(figures: dict[str, Any]) -> dict[str, Any]:
    """The API's landscape: the command line's JSON, and what the page says beside the figures."""
    return {
        **cli_json(figures),
        "unknown_year": figures["unknown_year"],
        "pending_facts": figures["pending_facts"],
        "visibility": figures["visibility"],
        "data_date": figures["data_date"],
    }


def compare_sides(user: User, a: int, b: int, ra: str, rb: str) -> list[dict[str, Any]]:
    """Two saved scopes side by side (a, b), or one scope in two regions (a with ra, rb); ScopeInvalid on bad input."""
    visibility = landscape_visibility(user)
    left = scope_get(user, a)
    right = scope_get(user, b) if b else left
    sides: list[dict[str, Any]] = []
    for scope, region in ((left, ra.strip()[:6]), (right, rb.strip()[:6])):
        data = dict(scope.definition)
        if region:
            data["region"] = region
        definition = parse_scope(data)
        figures = landscape(definition, visibility, with_region=False)
        sides.append({"scope": scope, "region": definition.region, "f": figures})
    return sides
