"""Pure accumulation of the office pre-aggregates: deal facts in, exact sums and distinct sets per region prefix out.

`panhuo.monitoring.aggregates` reads the source tables into `DealFacts` and inventory / response rows, calls these
functions and writes their dictionaries as tables. Nothing here knows Django; region prefixes and bimonths come
in as functions so the region rules keep their one home (`panhuo.monitoring.regions`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

Prefixes = Callable[[str], list[str]]
# (side, prefix, year, bimonth, kind, patent_type, from_institution, enterprise_sme, licence_recorded)
DealKey = tuple[str, str, int, int, str, str, bool, bool, bool]


@dataclass(frozen=True)
class DealFacts:
    """One deal in a contract state, with its enterprise side and patents."""

    id: int
    kind: str
    on: date
    contract_fen: int
    received_fen: int
    holder_id: int
    holder_region: str
    from_institution: bool
    enterprise_id: int | None
    enterprise_region: str
    enterprise_sme: bool
    patent_ids: tuple[int, ...]
    patent_type: str
    licence_recorded: bool  # a 许可合同备案 (recordal) exists; only licences carry it into the aggregates


@dataclass(frozen=True)
class DistinctMetric:
    """A distinct count: deals of `kinds` (from an institution / with an SME when asked) count `counts` once."""

    name: str
    kinds: tuple[str, ...]
    needs_institution: bool
    needs_sme: bool
    counts: str  # "ents" (enterprise ids) or "patents" (patent ids)


@dataclass
class DealSums:
    """Measures are [deals, patents, contract_fen, received_fen] unless noted."""

    by_region: dict[DealKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    # (holder id, holder region, year, kind)
    by_institution: dict[tuple[int, str, int, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    # (side, prefix, year, scheme, code) -> [deals, patents]
    by_industry: dict[tuple[str, str, int, str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    # (side, parent prefix, child prefix, year, bimonth) -> [deals, contract_fen, received_fen]
    by_sub_region: dict[tuple[str, str, str, int, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    # (side, prefix, year, metric) -> ids
    distinct: dict[tuple[str, str, int, str], set[int]] = field(default_factory=lambda: defaultdict(set))


def accumulate_deals(
    rows: Iterable[DealFacts],
    *,
    industries: Mapping[int, Iterable[tuple[str, str]]],
    metrics: Iterable[DistinctMetric],
    recorded_kinds: tuple[str, ...],
    prefixes: Prefixes,
    bimonth_of: Callable[[date], int],
) -> DealSums:
    """Sum every deal into its seller side ("S", holder region) and enterprise side ("E") at every prefix."""
    sums = DealSums()
    metric_list = list(metrics)
    for r in rows:
        year, bm = r.on.year, bimonth_of(r.on)
        measures = (1, len(r.patent_ids), r.contract_fen, r.received_fen)
        _add(sums.by_institution[(r.holder_id, r.holder_region, year, r.kind)], measures)
        deal_industries: dict[tuple[str, str], int] = defaultdict(int)
        for pid in r.patent_ids:
            for ind in industries.get(pid, ()):
                deal_industries[ind] += 1
        recorded = r.licence_recorded and r.kind in recorded_kinds
        hits = [
            m
            for m in metric_list
            if r.kind in m.kinds
            and (r.from_institution or not m.needs_institution)
            and (r.enterprise_sme or not m.needs_sme)
        ]
        sides = [("S", r.holder_region)]
        if r.enterprise_id is not None:
            sides.append(("E", r.enterprise_region))
        for side, region in sides:
            chain = prefixes(region)
            for parent, child in zip(chain, chain[1:], strict=False):
                _add(sums.by_sub_region[(side, parent, child, year, bm)], (1, r.contract_fen, r.received_fen))
            for p in chain:
                key = (
                    side,
                    p,
                    year,
                    bm,
                    r.kind,
                    r.patent_type,
                    r.from_institution,
                    r.enterprise_sme,
                    recorded,
                )
                _add(sums.by_region[key], measures)
                for (scheme, code), count in deal_industries.items():
                    _add(sums.by_industry[(side, p, year, scheme, code)], (1, count))
                for m in hits:
                    bucket = sums.distinct[(side, p, year, m.name)]
                    if m.counts == "ents":
                        if r.enterprise_id is not None:
                            bucket.add(r.enterprise_id)
                    else:
                        bucket.update(r.patent_ids)
    return sums


def _add(acc: list[int], values: tuple[int, ...]) -> None:
    for i, v in enumerate(values):
        acc[i] += v


def institution_years(
    by_institution: Mapping[tuple[int, str, int, str], list[int]],
) -> dict[tuple[int, str, int], list[int]]:
    """(institution, region, year) -> [deals, contract_fen, received_fen] over all kinds."""
    out: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (inst_id, region, year, _kind), sums in by_institution.items():
        _add(out[(inst_id, region, year)], (sums[0], sums[2], sums[3]))
    return out


def accumulate_inventory(
    rows: Iterable[tuple[int, str, str, tuple[int, ...]]], *, prefixes: Prefixes, width: int
) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str], set[int]]]:
    """(institution, region, patent type, counts) rows -> per (prefix, patent type): summed counts, institutions."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * width)
    institutions: dict[tuple[str, str], set[int]] = defaultdict(set)
    for inst_id, region, patent_type, counts in rows:
        for p in prefixes(region):
            _add(sums[(p, patent_type)], counts)
            institutions[(p, patent_type)].add(inst_id)
    return sums, institutions


def accumulate_responses(
    answers: Iterable[tuple[int, str, int, int]], *, prefixes: Prefixes
) -> tuple[dict[tuple[str, int], list[int]], dict[tuple[int, int], list[int]]]:
    """(institution, region, year, response ms) -> response times per (prefix, year) and per (institution, year)."""
    by_prefix: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_inst: dict[tuple[int, int], list[int]] = defaultdict(list)
    for inst_id, region, year, ms in answers:
        by_inst[(inst_id, year)].append(ms)
        for p in prefixes(region):
            by_prefix[(p, year)].append(ms)
    return by_prefix, by_inst


def response_figures(values: list[int]) -> tuple[int, int, int]:
    """(answers, total ms, median ms) — the upper median, exact integers."""
    values.sort()
    return len(values), sum(values), values[len(values) // 2]
