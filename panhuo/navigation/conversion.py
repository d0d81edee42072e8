"""The conversion picture and supply against demand of a scope's patents (reads on deals, evaluation, demand)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db.models import Q

from engine.deals.money import format_fen
from engine.landscape.columns import FactTable
from panhuo.common.idsets import id_array, ids_in
from panhuo.deals.models import CONTRACT_STATES, DealKind, DealPatent, OpenLicenceDeclaration
from panhuo.demand.models import Need, NeedAnswer, NeedStatus
from panhuo.evaluation.models import ValueScore
from panhuo.navigation.scope import ScopeDefinition
from panhuo.patents.models import InventoryRecord, InventoryState

CONVERSION_KINDS = (DealKind.TRANSFER, DealKind.LICENCE, DealKind.EQUITY, DealKind.OPEN_LICENCE)
OPEN_NEED_STATES = (NeedStatus.OPEN, NeedStatus.ANSWERED)
WHITE_SPACE_PATENTS = 3  # a technology area with demand and fewer scope patents than this is white space
GOOD_MATCH_SCORE = 0.6  # the push threshold's default (matching.PushPreference.threshold)


def conversion_picture(patent_ids: Sequence[int]) -> dict[str, Any]:
    """Pooled share; 转让/许可/作价入股/开放许可 deals (signed or later) with amounts; open licences; value flags."""
    ids = list(patent_ids)
    among = ids_in(ids)
    # (state, patent) is one index: each scope patent is one probe, no record row read
    pooled = np.unique(
        id_array(
            InventoryRecord.objects.filter(state=InventoryState.POOLED, patent_id__in=among), "patent_id"
        )
    )
    deal_patents: dict[str, set[int]] = {k: set() for k in CONVERSION_KINDS}
    amounts: Counter[str] = Counter()
    deal_ids: dict[str, set[int]] = {k: set() for k in CONVERSION_KINDS}
    for deal_id, kind, pid, fen in DealPatent.objects.filter(
        patent_id__in=among, deal__state__in=CONTRACT_STATES, deal__kind__in=CONVERSION_KINDS
    ).values_list("deal_id", "deal__kind", "patent_id", "deal__contract_amount_fen"):
        deal_patents[kind].add(pid)
        if deal_id not in deal_ids[kind]:
            deal_ids[kind].add(deal_id)
            amounts[kind] += int(fen or 0)
    open_licences = OpenLicenceDeclaration.objects.filter(
        patent_id__in=among, withdrawn_at__isnull=True
    ).count()
    high_value: set[int] = set()
    sleeping: set[int] = set()
    for pid, bits, sleep in ValueScore.objects.filter(patent_id__in=among).values_list(
        "patent_id", "high_value_bits", "sleeping"
    ):
        if bits:
            high_value.add(pid)
        if sleep:
            sleeping.add(pid)
    n = len(ids)
    labels = dict(DealKind.choices)
    kinds = [
        {
            "kind": k.value,
            "label": labels[k],
            "deals": len(deal_ids[k]),
            "patents": len(deal_patents[k]),
            "amount_fen": amounts[k],
            "amount": format_fen(amounts[k]),
        }
        for k in CONVERSION_KINDS
    ]
    converted = set().union(*deal_patents.values())
    return {
        "patents": n,
        "pooled": len(pooled),
        "pooled_share": round(len(pooled) / n, 4) if n else None,
        "kinds": kinds,
        "converted_patents": len(converted),
        "converted_share": round(len(converted) / n, 4) if n else None,
        "open_licence_listings": open_licences,
        "high_value": len(high_value),
        "sleeping": len(sleeping),
    }


def conversion_facet_ids(patent_ids: Sequence[int], facet: str) -> list[int]:
    """The patents behind one conversion figure: pooled, a deal kind, open_licence_listing, high_value, sleeping."""
    among = ids_in(patent_ids)
    qs: Any
    if facet == "pooled":
        pooled = InventoryRecord.objects.filter(state=InventoryState.POOLED, patent_id__in=among)
        return np.unique(id_array(pooled, "patent_id")).tolist()
    if facet in {k.value for k in CONVERSION_KINDS}:
        qs = DealPatent.objects.filter(patent_id__in=among, deal__state__in=CONTRACT_STATES, deal__kind=facet)
    elif facet == "open_licence_listing":
        qs = OpenLicenceDeclaration.objects.filter(patent_id__in=among, withdrawn_at__isnull=True)
    elif facet == "high_value":
        qs = ValueScore.objects.filter(patent_id__in=among, high_value_bits__gt=0)
    elif facet == "sleeping":
        qs = ValueScore.objects.filter(patent_id__in=among, sleeping=True)
    else:
        return []
    return sorted(set(qs.values_list("patent_id", flat=True)))


def _subclass(code: str) -> str:
    return code[:4]


def needs_in_scope(definition: ScopeDefinition, subclasses: Sequence[str]) -> list[Need]:
    """Open (征集中 / 已答复) needs whose IPC hints, industry or text fall in the scope.

    With IPC / industry / keyword filters the need must match one of them; a scope without them (a region,
    years, types) takes the IPC subclasses its patents have.
    """
    q = Q()
    ipc_prefixes = [c.split("/")[0] for c in definition.ipc] if definition.ipc else list(subclasses)
    for prefix in ipc_prefixes:
        q |= Q(ipc_hints__icontains=f'"{prefix}')
        if len(prefix) > 4:
            q |= Q(ipc_hints__icontains=f'"{prefix[:4]}"')  # a need hinting the whole subclass
    for code in definition.industries:
        if not code.isalpha():
            q |= Q(industry_code__startswith=code)
    for keyword in definition.keywords:
        q |= Q(title__icontains=keyword) | Q(description__icontains=keyword)
    if not q:
        return []
    return list(Need.objects.filter(status__in=OPEN_NEED_STATES).filter(q).order_by("pk"))


def demand_picture(
    definition: ScopeDefinition, patent_ids: Sequence[int], ipc_subclass_counts: dict[str, int]
) -> dict[str, Any]:
    """Open needs in the scope, how many named / were answered with scope patents, white space and no-demand areas."""
    needs = needs_in_scope(definition, list(ipc_subclass_counts))
    need_ids = [n.pk for n in needs]
    scope_ids = set(patent_ids)
    served: set[int] = set()
    for need_id, pid in Need.patents.through.objects.filter(need_id__in=ids_in(need_ids)).values_list(
        "need_id", "patent_id"
    ):
        if pid in scope_ids:
            served.add(need_id)
    for need_id, pid in NeedAnswer.proposed_patents.through.objects.filter(
        needanswer__need_id__in=ids_in(need_ids)
    ).values_list("needanswer__need_id", "patent_id"):
        if pid in scope_ids:
            served.add(need_id)
    demand: Counter[str] = Counter()
    for need in needs:
        for sub in {_subclass(h) for h in (need.ipc_hints or []) if h}:
            demand[sub] += 1
    areas = sorted(set(demand) | set(ipc_subclass_counts))
    white_space = [
        {"code": a, "needs": demand[a], "patents": ipc_subclass_counts.get(a, 0)}
        for a in areas
        if demand[a] and ipc_subclass_counts.get(a, 0) < WHITE_SPACE_PATENTS
    ]
    no_demand = sorted(
        (
            {"code": a, "needs": 0, "patents": ipc_subclass_counts[a]}
            for a in areas
            if a in ipc_subclass_counts and not demand[a]
        ),
        key=lambda r: (-ipc_subclass_counts[str(r["code"])], str(r["code"])),
    )[:10]
    return {
        "open_needs": len(needs),
        "need_ids": need_ids,
        "answered_with_scope_patents": len(served),
        "by_area": [
            {"code": a, "needs": demand[a], "patents": ipc_subclass_counts.get(a, 0)}
            for a in sorted(areas, key=lambda a: (-demand[a], -ipc_subclass_counts.get(a, 0), a))[:20]
        ],
        "white_space": sorted(white_space, key=lambda r: (-r["needs"], r["code"])),
        "no_demand": no_demand,
    }


def subclass_counts(table: FactTable) -> dict[str, int]:
    """Patents per IPC subclass (a patent once per subclass)."""
    groups = table.vocabs.groups.strings
    subclass_names = sorted({g[:4] for g in groups})
    number = {name: i for i, name in enumerate(subclass_names)}
    subclass_of_group = np.array([number[g[:4]] for g in groups], dtype=np.int64)
    rows = np.repeat(np.arange(len(table), dtype=np.int64), table.groups.lengths())
    pairs = np.unique(rows * max(1, len(subclass_names)) + subclass_of_group[table.groups.ids])
    counts = np.bincount(pairs % max(1, len(subclass_names)), minlength=len(subclass_names))
    return {subclass_names[i]: int(c) for i, c in enumerate(counts.tolist()) if c}
