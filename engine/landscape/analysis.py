"""One scope's figures from its rows: trend, types, statuses, holders, concentration, entrants, teams, composition.

Counting rules (exact, and said on the page):
- a patent counts once per figure even with several matching codes or holders within one bar;
- years are the application (申请日) year; rows without one are counted under UNKNOWN_YEAR ("未知");
- holders are the normalised 专利权人, else 申请人 (`holders.holders_of`);
- composition counts a patent once in each IPC main group / industry it has (the bars add up to more than N).

`analyse` is the readable definition, row by row: the benchmark's naive scan uses it, and a property test holds
`columns.analyse_table` (what the product runs, on numpy columns) equal to it. A rule changes here and there
together, or that test fails.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from typing import Any

import numpy as np

from engine.landscape.holders import HOLDER_TYPE_LABELS, HolderType, holder_type
from engine.landscape.metrics import concentration, growth_series, new_entrants, window_growth

UNKNOWN_YEAR = "未知"
RECENT_YEARS = 3
MAX_TEAM_INVENTORS = (
    30  # a patent with more named inventors is a consortium list, not a team: no pairs from it
)


@dataclass(frozen=True)
class LandscapeRow:
    """One patent of a scope: what the figures need, nothing more."""

    patent_id: int
    app_year: int | None
    grant_year: int | None
    patent_type: str
    legal_status: str
    ipc_groups: tuple[str, ...]  # IPC main groups of all its codes, main first, each once ("H01M10/00")
    holders: tuple[str, ...]  # normalised
    inventors: tuple[str, ...]
    industries: tuple[str, ...] = ()  # GB/T 4754 codes
    inside: bool = True  # holder in the region compared against the rest


@lru_cache(maxsize=100_000)  # codes repeat across a scope's rows; the function is pure
def main_group(code: str) -> str:
    """The IPC main group of a canonical code ("H01M10/0525" → "H01M10/00"); a code above group level as is."""
    return code.split("/")[0] + "/00" if "/" in code else code


@lru_cache(maxsize=200_000)
def normalise_person(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _year_key(year: int | None) -> int | str:
    return UNKNOWN_YEAR if year is None else year


def _holder_type(name: str, known: Mapping[str, str] | None) -> str:
    if known and name in known:
        return known[name]
    return holder_type(name).value


def by_year(rows: Sequence[LandscapeRow]) -> list[dict[str, Any]]:
    apps = Counter(r.app_year for r in rows)
    grants = Counter(r.grant_year for r in rows if r.grant_year is not None)
    years = sorted({y for y in apps if y is not None} | {y for y in grants if y is not None})
    out: list[dict[str, Any]] = []
    if years:
        for year in range(years[0], years[-1] + 1):
            out.append({"year": year, "applications": apps.get(year, 0), "grants": grants.get(year, 0)})
    if apps.get(None):
        out.append({"year": UNKNOWN_YEAR, "applications": apps[None], "grants": 0})
    return out


def teams(rows: Sequence[LandscapeRow], *, min_shared: int = 2) -> list[dict[str, Any]]:
    """Co-inventor groups: inventors linked when they share ≥ `min_shared` patents, joined transitively.

    A team's patents are those naming at least two of its members. Ranked by patents, then lead name.
    Pairs are counted with numpy (one integer key per pair), so 50,000 patents take well under a second.
    """
    n = len(rows)
    lengths = [len(r.inventors) for r in rows]
    flat = list(map(normalise_person, (i for r in rows for i in r.inventors)))
    names = [p for p in dict.fromkeys(flat) if p]
    size = len(names)
    if size < 2:
        return []
    index = {p: i for i, p in enumerate(names)}
    index[""] = -1
    people_all = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
    rows_all = np.repeat(np.arange(n, dtype=np.int64), lengths)
    known = people_all >= 0
    # each (patent, person) once, sorted by patent then person id
    pairs_rp = np.unique(rows_all[known] * size + people_all[known])
    flat_rows, flat_people = np.divmod(pairs_rp, size)
    per_inventor = np.bincount(flat_people, minlength=size)
    per_patent = np.bincount(flat_rows, minlength=n)
    starts = np.concatenate(([0], np.cumsum(per_patent)[:-1]))
    keys = []
    for k in np.unique(per_patent).tolist():
        if not 2 <= k <= MAX_TEAM_INVENTORS:
            continue
        m = flat_people[starts[per_patent == k][:, None] + np.arange(k)]
        a, b = np.triu_indices(k, 1)
        keys.append((m[:, a] * size + m[:, b]).ravel())  # ids ascending in a row: a < b
    if not keys:
        return []
    pair_keys, pair_counts = np.unique(np.concatenate(keys), return_counts=True)
    linked = pair_keys[pair_counts >= min_shared]
    parent = np.arange(size, dtype=np.int64)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    in_team = np.zeros(size, dtype=bool)
    for key in linked.tolist():
        a, b = divmod(key, size)
        in_team[a] = in_team[b] = True
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    team_of = np.full(size, -1, dtype=np.int64)
    members: dict[int, list[int]] = defaultdict(list)
    for person in np.flatnonzero(in_team).tolist():
        root = find(person)
        team_of[person] = root
        members[root].append(person)
    # patents naming ≥ 2 members of one team: (row, team) keys seen twice or more
    roots = team_of[flat_people]
    keep = roots >= 0
    row_team, seen = np.unique(flat_rows[keep] * size + roots[keep], return_counts=True)
    patents: dict[int, list[int]] = defaultdict(list)
    for key in row_team[seen >= 2].tolist():
        row, root = divmod(key, size)
        patents[root].append(rows[row].patent_id)
    out: list[dict[str, Any]] = []
    for root, group in members.items():
        ranked = sorted((names[p] for p in group), key=lambda p: (-int(per_inventor[index[p]]), p))
        out.append(
            {
                "lead": ranked[0],
                "members": ranked,
                "size": len(ranked),
                "patents": len(patents[root]),
                "patent_ids": sorted(patents[root]),
            }
        )
    out.sort(key=lambda t: (-len(t["patent_ids"]), t["lead"]))
    return out


def year_periods(first: int, last: int, buckets: int = 4) -> list[tuple[int, int]]:
    span = last - first + 1
    size = max(1, -(-span // buckets))
    return [(start, min(last, start + size - 1)) for start in range(first, last + 1, size)]


def composition_shift(rows: Sequence[LandscapeRow], codes_of: str, top: Sequence[str]) -> dict[str, Any]:
    """Share (percent of the period's patents) of each top code in each period of the known years."""
    years = [r.app_year for r in rows if r.app_year is not None]
    if not years or not top:
        return {"periods": [], "series": []}
    periods = year_periods(min(years), max(years))
    period_of = {y: k for k, (a, b) in enumerate(periods) for y in range(a, b + 1)}
    totals = [0] * len(periods)
    counts = {code: [0] * len(periods) for code in top}
    for r in rows:
        i = period_of.get(r.app_year) if r.app_year is not None else None
        if i is None:
            continue
        totals[i] += 1
        for code in set(getattr(r, codes_of)):
            if code in counts:
                counts[code][i] += 1
    return {
        "periods": [f"{a}" if a == b else f"{a}–{b}" for a, b in periods],
        "totals": totals,
        "series": [
            {
                "code": code,
                "counts": counts[code],
                "percent": [
                    round(100 * c / t, 1) if t else 0.0 for c, t in zip(counts[code], totals, strict=True)
                ],
            }
            for code in top
        ],
    }


def analyse(
    rows: Sequence[LandscapeRow],
    *,
    known_holder_types: Mapping[str, str] | None = None,
    top: int = 20,
    recent_years: int = RECENT_YEARS,
) -> dict[str, Any]:
    """Every figure of the landscape page except clusters, conversion and demand (which need the database)."""
    n = len(rows)
    years = by_year(rows)
    known_years = [y["year"] for y in years if y["year"] != UNKNOWN_YEAR]
    last_year = max(known_years) if known_years else None
    apps_by_year = {y["year"]: y["applications"] for y in years if y["year"] != UNKNOWN_YEAR}
    # one C-level pass each (a Counter.update per row costs more than the rest at 50,000 rows)
    holder_counts: Counter[str] = Counter(chain.from_iterable(r.holders for r in rows))
    dated = sorted((r for r in rows if r.app_year is not None), key=lambda r: r.app_year or 0, reverse=True)
    # later (earlier-year) pairs overwrite: each holder keeps its first application year
    first_year: dict[str, int] = dict(
        chain.from_iterable(zip(r.holders, repeat(r.app_year or 0)) for r in dated)
    )
    conc = concentration(holder_counts.values())
    holders = [
        {
            "name": name,
            "type": _holder_type(name, known_holder_types),
            "type_label": HOLDER_TYPE_LABELS[HolderType(_holder_type(name, known_holder_types))],
            "patents": count,
            "share": round(count / conc.total, 4) if conc.total else 0.0,
            "first_year": first_year.get(name),
        }
        for name, count in sorted(holder_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    ]
    type_of = {h: _holder_type(h, known_holder_types) for h in holder_counts}
    holder_type_counts: Counter[str] = Counter()
    for kinds, count in Counter(frozenset(map(type_of.__getitem__, r.holders)) for r in rows).items():
        for kind in kinds or ("other",):
            holder_type_counts[kind] += count
    entrants: list[dict[str, Any]] = []
    since = None
    if last_year is not None:
        since = last_year - recent_years + 1
        entrants = sorted(
            (
                {"name": h, "first_year": first_year[h], "patents": holder_counts[h]}
                for h in new_entrants(first_year, since=since)
            ),
            key=lambda e: (-holder_counts[str(e["name"])], str(e["name"])),
        )[:top]
    ipc_counts: Counter[str] = Counter(chain.from_iterable(map(set, (r.ipc_groups for r in rows))))
    industry_counts: Counter[str] = Counter(chain.from_iterable(map(set, (r.industries for r in rows))))
    top_ipc = [c for c, _ in sorted(ipc_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    top_industries = [c for c, _ in sorted(industry_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    team_list = teams(rows)
    inside = sum(1 for r in rows if r.inside)
    return {
        "patents": n,
        "unknown_year": sum(1 for r in rows if r.app_year is None),
        "by_year": years,
        "growth": growth_series(apps_by_year),
        "recent_growth_percent": (
            window_growth(apps_by_year, last_year=last_year, window=recent_years) if last_year else None
        ),
        "last_year": last_year,
        "types": dict(sorted(Counter(r.patent_type for r in rows).items())),
        "statuses": dict(sorted(Counter(r.legal_status for r in rows).items())),
        "holders": holders,
        "holder_count": conc.holders,
        "holder_types": dict(sorted(holder_type_counts.items())),
        "concentration": {"cr4": conc.cr4, "hhi": conc.hhi, "holder_patents": conc.total},
        "new_entrants": entrants,
        "new_entrants_since": since,
        "new_entrant_count": len(new_entrants(first_year, since=since)) if since is not None else 0,
        "teams": [{k: v for k, v in t.items() if k != "patent_ids"} for t in team_list[:top] if t["patents"]],
        "ipc": [{"code": c, "patents": ipc_counts[c]} for c in top_ipc],
        "ipc_groups": len(ipc_counts),
        "ipc_shift": composition_shift(rows, "ipc_groups", top_ipc[:8]),
        "industries": [{"code": c, "patents": industry_counts[c]} for c in top_industries],
        "industry_shift": composition_shift(rows, "industries", top_industries[:8]),
        "region": {"inside": inside, "outside": n - inside},
    }


def year_value(value: str) -> int | None:
    return None if value in (UNKNOWN_YEAR, "", "unknown") else int(value)


def facet_ids(
    rows: Iterable[LandscapeRow],
    facet: str,
    value: str,
    *,
    known_holder_types: Mapping[str, str] | None = None,
) -> list[int]:
    """The patents behind one figure: ids of the rows whose `facet` equals `value` (sorted).

    Facets: app_year, grant_year (UNKNOWN_YEAR for none), type, status, holder, holder_type, ipc, industry,
    team (any member's name), region (inside | outside).
    """
    rows = list(rows)
    if facet == "team":
        person = normalise_person(value)
        for t in teams(rows):
            if person in t["members"]:
                return [int(pid) for pid in t["patent_ids"]]
        return []
    tests: dict[str, Callable[[LandscapeRow], bool]] = {
        "app_year": lambda r: r.app_year == year_value(value),
        "grant_year": lambda r: r.grant_year == year_value(value),
        "type": lambda r: r.patent_type == value,
        "status": lambda r: r.legal_status == value,
        "holder": lambda r: value in r.holders,
        "holder_type": lambda r: (
            value in ({_holder_type(h, known_holder_types) for h in r.holders} or {"other"})
        ),
        "ipc": lambda r: value in r.ipc_groups,
        "industry": lambda r: value in r.industries,
        "region": lambda r: r.inside == (value == "inside"),
    }
    test = tests.get(facet)
    if test is None:
        return []
    try:
        return sorted(r.patent_id for r in rows if test(r))
    except ValueError:  # a year that is not a number
        return []
