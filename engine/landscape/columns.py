"""The landscape figures computed on columns: one numpy array per field, strings as ids into shared tables.

`analyse_table(table)` equals `analysis.analyse(table.rows())` exactly (same dict, same list order, same numbers),
but counts with `np.bincount` / `np.unique` over integer ids instead of Python objects per patent, so a scope of
65,000 patents takes a few tens of milliseconds. A `FactTable` is built once from the precomputed facts
(`from_rows`, the `facts.ROW_FIELDS` order) and a scope is a `take` of its row positions.

Strings live once in a `Vocab` (append-only, so ids stay valid for every table built on it); what is derived
from a string (an IPC code's main group, a holder's type guessed from the name, an inventor's normalised name)
is computed once per string and cached in `Vocabs`.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from itertools import chain, islice
from typing import Any

import numpy as np

from engine.landscape.analysis import (
    MAX_TEAM_INVENTORS,
    RECENT_YEARS,
    UNKNOWN_YEAR,
    LandscapeRow,
    main_group,
    normalise_person,
    year_periods,
    year_value,
)
from engine.landscape.holders import HOLDER_TYPE_LABELS, HolderType, holder_type
from engine.landscape.metrics import Concentration, growth_series, window_growth

# One fact in the `facts.ROW_FIELDS` order: id, app year, grant year, type, status, codes, holders, inventors,
# industries (names already normalised).
FactRow = Sequence[Any]

_NOT_YET = -2  # a lazily computed per-string value not computed yet
VOCAB_NAMES = (
    "types",
    "statuses",
    "codes",
    "groups",
    "holders",
    "inventors",
    "industries",
    "holder_kinds",
    "persons",
)
CACHE_NAMES = ("_code_group", "_holder_kind", "_inventor_person")


class Vocab:
    """Append-only string <-> int id table (shared by a base table and the tables derived from it)."""

    __slots__ = ("_index", "_lock", "strings")

    def __init__(self, strings: Iterable[str] = ()) -> None:
        self.strings: list[str] = []
        # a missing string gets the next id as it is looked up: interning and lookup are one C-level pass
        self._index: defaultdict[str, int] = defaultdict()
        self._index.default_factory = self._index.__len__
        self._lock = threading.Lock()
        self.intern_all(list(strings))

    def _publish(self) -> None:
        """Append the strings added to the index since (its keys keep insertion order)."""
        added = len(self._index) - len(self.strings)
        if added > 0:  # the newest keys, read from the end: O(added), not O(all)
            self.strings.extend(reversed(list(islice(reversed(self._index), added))))

    def intern(self, s: str) -> int:
        found = self._index.get(s)
        if found is not None and found < len(self.strings):
            return found
        with self._lock:
            found = self._index[s]
            if found == len(self.strings):
                self.strings.append(s)
            else:
                self._publish()
            return found

    def intern_all(self, flat: Sequence[str]) -> np.ndarray:
        """The ids (int32) of `flat`, new strings added in first-seen order: one C-level pass, no loop per item."""
        with self._lock:
            ids = np.fromiter(map(self._index.__getitem__, flat), dtype=np.int32, count=len(flat))
            self._publish()
        return ids

    def find(self, s: str) -> int | None:
        found = self._index.get(s)
        return found if found is not None and found < len(self.strings) else None

    def __len__(self) -> int:
        return len(self.strings)


def _distinct(values: np.ndarray) -> np.ndarray:
    """`np.unique(values)` by sorting (numpy 2's hash-based unique is several times slower on these arrays)."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    result: np.ndarray = ordered[keep]
    return result


def _grow(cache: np.ndarray, size: int, fill: int) -> np.ndarray:
    if len(cache) >= size:
        return cache
    return np.concatenate((cache, np.full(size - len(cache), fill, dtype=cache.dtype)))


@dataclass(eq=False)
class Vocabs:
    """One `Vocab` per column kind, plus what is derived once per string (kept in step lazily: vocabs only grow)."""

    types: Vocab = field(default_factory=Vocab)
    statuses: Vocab = field(default_factory=Vocab)
    codes: Vocab = field(default_factory=Vocab)
    groups: Vocab = field(default_factory=Vocab)
    holders: Vocab = field(default_factory=Vocab)
    inventors: Vocab = field(default_factory=Vocab)
    industries: Vocab = field(default_factory=Vocab)
    holder_kinds: Vocab = field(default_factory=Vocab)  # holder type values ("university", …, known types)
    persons: Vocab = field(default_factory=Vocab)  # normalise_person of the inventors, "" never interned
    _code_group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32), init=False, repr=False)
    _holder_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32), init=False, repr=False)
    _inventor_person: np.ndarray = field(
        default_factory=lambda: np.zeros(0, np.int32), init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def code_groups(self) -> np.ndarray:
        """Group id (into `groups`) of every code id: `main_group` of each code, computed once per code."""
        done = len(self._code_group)
        if done < len(self.codes):
            with self._lock:
                done = len(self._code_group)
                new = self.codes.strings[done:]
                ids = self.groups.intern_all([main_group(c) for c in new])
                self._code_group = np.concatenate((self._code_group, ids))
        return self._code_group

    def _lazy(
        self, name: str, vocab: Vocab, ids: np.ndarray, compute: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray:
        """The cached per-string array `name`, computed (in one batch) for the strings of `ids` not done yet."""
        cache: np.ndarray = getattr(self, name)
        if len(cache) < len(vocab) or (len(ids) and (cache[ids] == _NOT_YET).any()):
            with self._lock:
                cache = _grow(getattr(self, name), len(vocab), _NOT_YET)
                todo = _distinct(ids[cache[ids] == _NOT_YET])
                strings = vocab.strings
                cache[todo] = compute([strings[i] for i in todo.tolist()])
                setattr(self, name, cache)
        return cache

    def warm(self) -> None:
        """Compute every per-string cache now (a store can do it at load, so no request pays for it)."""
        self.code_groups()
        self.holder_base_kinds(np.arange(len(self.holders), dtype=np.int64))
        self.inventor_persons(np.arange(len(self.inventors), dtype=np.int64))

    def export(self) -> tuple[dict[str, list[str]], dict[str, np.ndarray]]:
        """Every string table (`VOCAB_NAMES`) and per-string cache (`CACHE_NAMES`) as plain lists and arrays, for
        a snapshot of a store. The caches are copied under the lock before the strings are read: every id a
        cache holds then has its string (tables only grow)."""
        with self._lock:
            caches = {name: np.array(getattr(self, name), dtype=np.int32) for name in CACHE_NAMES}
        strings = {name: list(getattr(self, name).strings) for name in VOCAB_NAMES}
        return strings, caches

    @classmethod
    def restored(cls, strings: Mapping[str, Sequence[str]], caches: Mapping[str, np.ndarray]) -> Vocabs:
        """The `Vocabs` that `export` described (same ids); ValueError when they do not fit together."""
        vocabs = cls(**{name: Vocab(strings[name]) for name in VOCAB_NAMES})
        for name in VOCAB_NAMES:
            if len(getattr(vocabs, name)) != len(strings[name]):
                raise ValueError(f"vocabulary {name} repeats a string")
        for name, (source, target, lowest) in {
            "_code_group": (vocabs.codes, vocabs.groups, 0),
            "_holder_kind": (vocabs.holders, vocabs.holder_kinds, _NOT_YET),
            "_inventor_person": (vocabs.inventors, vocabs.persons, _NOT_YET),
        }.items():
            cache = np.array(caches[name], dtype=np.int32)
            if cache.ndim != 1 or len(cache) > len(source):
                raise ValueError(f"cache {name} does not fit its vocabulary")
            if len(cache) and (int(cache.min()) < lowest or int(cache.max()) >= len(target)):
                raise ValueError(f"cache {name} points outside its vocabulary")
            setattr(vocabs, name, cache)
        return vocabs

    def holder_base_kinds(self, ids: np.ndarray) -> np.ndarray:
        """Kind id (into `holder_kinds`) guessed from the name, for every holder id; computed for `ids` at least."""
        return self._lazy(
            "_holder_kind",
            self.holders,
            ids,
            lambda names: self.holder_kinds.intern_all([holder_type(h).value for h in names]),
        )

    def inventor_persons(self, ids: np.ndarray) -> np.ndarray:
        """Person id (into `persons`) of every inventor id, -1 for a blank name; computed for `ids` at least."""

        def persons(names: list[str]) -> np.ndarray:
            normal = [normalise_person(name) for name in names]
            result = np.full(len(normal), -1, dtype=np.int32)
            named = [i for i, p in enumerate(normal) if p]
            result[named] = self.persons.intern_all([normal[i] for i in named])
            return result

        return self._lazy("_inventor_person", self.inventors, ids, persons)


def _as_positions(rows: np.ndarray | Sequence[int]) -> np.ndarray:
    return np.asarray(rows, dtype=np.int64).reshape(-1)


@dataclass(frozen=True, eq=False)
class Csr:
    """A list of ids per row: row i holds ids[indptr[i]:indptr[i + 1]]."""

    indptr: np.ndarray  # int64, len n+1
    ids: np.ndarray  # int32 (ids into a Vocab)

    @classmethod
    def from_lengths(cls, lengths: np.ndarray, ids: np.ndarray) -> Csr:
        indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return cls(indptr, np.asarray(ids, dtype=np.int32))

    @classmethod
    def empty(cls, n: int = 0) -> Csr:
        return cls(np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int32))

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def row_of(self) -> np.ndarray:
        """The row (int64) of each id."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths())

    def take(self, rows: np.ndarray) -> Csr:
        """The rows at these positions (any order, repeats allowed), gathered without a loop per row."""
        rows = _as_positions(rows)
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        gather = np.arange(indptr[-1], dtype=np.int64) + np.repeat(starts - indptr[:-1], lengths)
        return Csr(indptr, self.ids[gather])

    def concat(self, other: Csr) -> Csr:
        return Csr(
            np.concatenate((self.indptr, other.indptr[1:] + self.indptr[-1])),
            np.concatenate((self.ids, other.ids)),
        )

    def rows_with_any(self, vocab_mask: np.ndarray) -> np.ndarray:
        """bool[n]: the row has an id whose `vocab_mask` entry is True (ids past the mask's end: False)."""
        mask = np.asarray(vocab_mask, dtype=bool)
        if len(self.ids) and int(self.ids.max()) >= len(mask):
            mask = np.concatenate((mask, np.zeros(int(self.ids.max()) + 1 - len(mask), dtype=bool)))
        hits = np.zeros(len(self.ids) + 1, dtype=np.int64)
        np.cumsum(mask[self.ids], out=hits[1:])
        result: np.ndarray = hits[self.indptr[1:]] > hits[self.indptr[:-1]]
        return result

    def first_occurrences(self) -> Csr:
        """Each id once per row, the first occurrence kept (order kept); only rows with ≥ 2 ids are sorted."""
        lengths = self.lengths()
        row_of = self.row_of()
        candidates = np.flatnonzero(lengths[row_of] >= 2)
        if not len(candidates):
            return self
        keys = row_of[candidates] * (int(self.ids.max()) + 1) + self.ids[candidates]
        order = np.argsort(keys, kind="stable")  # equal keys: the earliest position first
        ordered = keys[order]
        repeated = np.zeros(len(ordered), dtype=bool)
        repeated[1:] = ordered[1:] == ordered[:-1]
        if not repeated.any():
            return self
        keep = np.ones(len(self.ids), dtype=bool)
        keep[candidates[order[repeated]]] = False
        return Csr.from_lengths(np.bincount(row_of[keep], minlength=len(self)), self.ids[keep])

    def unique_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, id) pairs, each once, sorted by row then id: "a patent counts once per bar"."""
        size = int(self.ids.max()) + 1 if len(self.ids) else 1
        pairs = _distinct(self.row_of() * size + self.ids)
        rows, ids = np.divmod(pairs, size)
        return rows, ids


def _int_column(values: Sequence[int | None]) -> np.ndarray:
    return np.fromiter((0 if v is None else v for v in values), dtype=np.int32, count=len(values))


def _list_column(vocab: Vocab, lists: Sequence[Sequence[str]]) -> Csr:
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    return Csr.from_lengths(lengths, vocab.intern_all(list(chain.from_iterable(lists))))


@dataclass(frozen=True, eq=False)
class FactTable:
    """Patents as columns; a scope is a `take` of the positions of its patents."""

    patent_id: np.ndarray  # int64[n]
    app_year: np.ndarray  # int32[n], 0 = unknown (None)
    grant_year: np.ndarray  # int32[n], 0 = none
    patent_type: np.ndarray  # int32[n] -> vocabs.types
    legal_status: np.ndarray  # int32[n] -> vocabs.statuses
    codes: Csr  # full IPC codes -> vocabs.codes (order kept)
    groups: Csr  # IPC main groups of the codes, each once per patent, main first -> vocabs.groups
    holders: Csr  # -> vocabs.holders, each once per row, order kept
    inventors: Csr  # -> vocabs.inventors, order kept (as in the fact)
    industries: Csr  # -> vocabs.industries, order kept
    vocabs: Vocabs
    inside: np.ndarray | None = None  # bool[n] (LandscapeRow.inside); None = all True

    @classmethod
    def from_rows(cls, rows: Sequence[FactRow], vocabs: Vocabs | None = None) -> FactTable:
        """Columns of fact rows: a transpose and one C-level pass per column (1,000,000 rows in a few seconds)."""
        vocabs = Vocabs() if vocabs is None else vocabs
        if not rows:
            return cls.empty(vocabs)
        pid, app, grant, ptype, status, codes, holders, inventors, industries = zip(*rows, strict=True)
        code_column = _list_column(vocabs.codes, codes)
        groups = Csr(code_column.indptr, vocabs.code_groups()[code_column.ids]).first_occurrences()
        return cls(
            patent_id=np.fromiter(pid, dtype=np.int64, count=len(pid)),
            app_year=_int_column(app),
            grant_year=_int_column(grant),
            patent_type=vocabs.types.intern_all(ptype),
            legal_status=vocabs.statuses.intern_all(status),
            codes=code_column,
            groups=groups,
            holders=_list_column(vocabs.holders, holders).first_occurrences(),
            inventors=_list_column(vocabs.inventors, inventors),
            industries=_list_column(vocabs.industries, industries),
            vocabs=vocabs,
        )

    @classmethod
    def empty(cls, vocabs: Vocabs) -> FactTable:
        none = np.zeros(0, dtype=np.int32)
        return cls(
            np.zeros(0, dtype=np.int64),
            none,
            none,
            none,
            none,
            Csr.empty(),
            Csr.empty(),
            Csr.empty(),
            Csr.empty(),
            Csr.empty(),
            vocabs,
        )

    def __len__(self) -> int:
        return len(self.patent_id)

    def take(self, rows: np.ndarray) -> FactTable:
        """The rows at these positions (any order), same vocabs."""
        rows = _as_positions(rows)
        return FactTable(
            self.patent_id[rows],
            self.app_year[rows],
            self.grant_year[rows],
            self.patent_type[rows],
            self.legal_status[rows],
            self.codes.take(rows),
            self.groups.take(rows),
            self.holders.take(rows),
            self.inventors.take(rows),
            self.industries.take(rows),
            self.vocabs,
            None if self.inside is None else self.inside[rows],
        )

    def _inside_or_true(self) -> np.ndarray:
        return np.ones(len(self), dtype=bool) if self.inside is None else self.inside

    def concat(self, other: FactTable) -> FactTable:
        if other.vocabs is not self.vocabs:
            raise ValueError("tables built on different vocabs cannot be joined")
        inside = None
        if self.inside is not None or other.inside is not None:
            inside = np.concatenate((self._inside_or_true(), other._inside_or_true()))
        return FactTable(
            np.concatenate((self.patent_id, other.patent_id)),
            np.concatenate((self.app_year, other.app_year)),
            np.concatenate((self.grant_year, other.grant_year)),
            np.concatenate((self.patent_type, other.patent_type)),
            np.concatenate((self.legal_status, other.legal_status)),
            self.codes.concat(other.codes),
            self.groups.concat(other.groups),
            self.holders.concat(other.holders),
            self.inventors.concat(other.inventors),
            self.industries.concat(other.industries),
            self.vocabs,
            inside,
        )

    def with_holders(self, names: Mapping[int, Sequence[str]]) -> FactTable:
        """The same rows, the holders of the rows at these positions replaced (each name once, first-seen order)."""
        if not names:
            return self
        old = self.holders
        lengths = old.lengths()
        positions = np.fromiter(names.keys(), dtype=np.int64, count=len(names))
        replacement = [self.vocabs.holders.intern_all(list(dict.fromkeys(v))) for v in names.values()]
        new_lengths = lengths.copy()
        new_lengths[positions] = [len(ids) for ids in replacement]
        result = Csr.from_lengths(new_lengths, np.zeros(int(new_lengths.sum()), dtype=np.int32))
        kept = np.ones(len(self), dtype=bool)
        kept[positions] = False
        row_of = old.row_of()
        stays = kept[row_of]
        stay_rows = row_of[stays]
        target = result.indptr[stay_rows] + (np.flatnonzero(stays) - old.indptr[stay_rows])
        result.ids[target] = old.ids[stays]
        for position, ids in zip(positions.tolist(), replacement, strict=True):
            start = int(result.indptr[position])
            result.ids[start : start + len(ids)] = ids
        return replace(self, holders=result)

    def with_inside(self, inside: np.ndarray) -> FactTable:
        flags = np.asarray(inside, dtype=bool).reshape(-1)
        if len(flags) != len(self):
            raise ValueError(f"{len(flags)} inside flags for {len(self)} rows")
        return replace(self, inside=flags)

    def code_mask(self, prefixes: tuple[str, ...]) -> np.ndarray:
        """bool[n]: a full IPC code of the row starts with one of the prefixes (() matches nothing)."""
        codes = self.vocabs.codes.strings
        matches = np.fromiter((c.startswith(prefixes) for c in codes), dtype=bool, count=len(codes))
        return self.codes.rows_with_any(matches)

    def holder_type_mask(self, wanted: set[str], known_holder_types: Mapping[str, str]) -> np.ndarray:
        """bool[n]: kept by the scope's holder-type filter, `known.get(h) or holder_type(h).value` of a holder in
        `wanted` (a row without holders is dropped)."""
        kinds = _holder_kinds(self, known_holder_types, empty_known_falls_back=True)
        wanted_ids = [self.vocabs.holder_kinds.find(kind) for kind in wanted]
        return self.holders.rows_with_any(np.isin(kinds, [i for i in wanted_ids if i is not None]))

    def rows(self) -> list[LandscapeRow]:
        """The equivalent `LandscapeRow`s (a Python object per patent: for tests and small scopes)."""
        v = self.vocabs

        def lists(csr: Csr, strings: list[str]) -> list[tuple[str, ...]]:
            names = [strings[i] for i in csr.ids.tolist()]
            bounds = csr.indptr.tolist()
            return [tuple(names[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]

        return [
            LandscapeRow(pid, app or None, grant or None, v.types.strings[t], v.statuses.strings[s], *rest)
            for pid, app, grant, t, s, *rest in zip(
                self.patent_id.tolist(),
                self.app_year.tolist(),
                self.grant_year.tolist(),
                self.patent_type.tolist(),
                self.legal_status.tolist(),
                lists(self.groups, v.groups.strings),
                lists(self.holders, v.holders.strings),
                lists(self.inventors, v.inventors.strings),
                lists(self.industries, v.industries.strings),
                self._inside_or_true().tolist(),
                strict=True,
            )
        ]


def _holder_kinds(
    table: FactTable, known: Mapping[str, str] | None, *, empty_known_falls_back: bool
) -> np.ndarray:
    """Kind id of every holder id of the table's holders (-2 elsewhere): the known type, else the name's guess.

    `analyse` takes a known type as is (`name in known`); the scope filter takes it only when not empty
    (`known.get(h) or …`): `empty_known_falls_back` picks the second.
    """
    v = table.vocabs
    present = _distinct(table.holders.ids)
    kinds = v.holder_base_kinds(present).copy()
    if not known:
        return kinds
    strings = v.holders.strings
    overrides: Iterable[tuple[int, str]]
    if len(known) < len(present):
        overrides = (
            (i, kind) for i, kind in ((v.holders.find(h), k) for h, k in known.items()) if i is not None
        )
    else:
        overrides = ((i, known[strings[i]]) for i in present.tolist() if strings[i] in known)
    for i, kind in overrides:
        if kind or not empty_known_falls_back:
            kinds[i] = v.holder_kinds.intern(kind)
    return kinds


# ---------------------------------------------------------------- the figures


def _ranked(counts: np.ndarray, strings: list[str], top: int | None = None) -> list[tuple[int, int]]:
    """(id, count) of the ids counted > 0, by count descending then name, the first `top` (all for None)."""
    present = np.flatnonzero(counts > 0)
    if top is not None and 0 < top < len(present):
        threshold = np.partition(counts[present], len(present) - top)[len(present) - top]
        present = present[counts[present] >= threshold]  # the top ones and every tie at the last place
    pairs = sorted(
        zip(counts[present].tolist(), present.tolist(), strict=True), key=lambda cp: (-cp[0], strings[cp[1]])
    )
    return [(i, c) for c, i in pairs[:top]]


def _concentration(counts: np.ndarray) -> Concentration:
    """`metrics.concentration` of the positive counts, with the same exact fractions summed as integers."""
    values = np.sort(counts[counts > 0])[::-1]
    total = int(values.sum())
    if total == 0:
        return Concentration(0.0, 0.0, 0, 0)
    cr4 = Fraction(int(values[:4].sum()), total)
    squares = int((values.astype(np.int64) ** 2).sum())  # ≤ total², far inside int64
    hhi = Fraction(squares, total * total) * 10_000
    return Concentration(round(float(cr4), 4), round(float(hhi), 1), total, len(values))


def _by_year(table: FactTable) -> list[dict[str, Any]]:
    """`analysis.by_year` on the columns."""
    app_years, app_counts = np.unique(table.app_year, return_counts=True)
    grant_years, grant_counts = np.unique(table.grant_year[table.grant_year != 0], return_counts=True)
    apps = dict(zip(app_years.tolist(), app_counts.tolist(), strict=True))
    grants = dict(zip(grant_years.tolist(), grant_counts.tolist(), strict=True))
    unknown = apps.pop(0, 0)
    years = sorted(set(apps) | set(grants))
    out: list[dict[str, Any]] = []
    if years:
        for year in range(years[0], years[-1] + 1):
            out.append({"year": year, "applications": apps.get(year, 0), "grants": grants.get(year, 0)})
    if unknown:
        out.append({"year": UNKNOWN_YEAR, "applications": unknown, "grants": 0})
    return out


def _composition_shift(
    table: FactTable, pairs: tuple[np.ndarray, np.ndarray], top: list[int], strings: list[str]
) -> dict[str, Any]:
    """`analysis.composition_shift` from (row, id) pairs each once: a bincount per (period, top code)."""
    known = table.app_year != 0
    if not known.any() or not top:
        return {"periods": [], "series": []}
    years = table.app_year[known]
    periods = year_periods(int(years.min()), int(years.max()))
    starts = np.array([a for a, _ in periods], dtype=np.int32)
    period = np.where(known, np.searchsorted(starts, table.app_year, side="right") - 1, -1)
    totals = np.bincount(period[known], minlength=len(periods)).tolist()
    slot = np.full(len(strings) + 1, -1, dtype=np.int64)
    slot[top] = np.arange(len(top))
    rows, ids = pairs
    row_period = period[rows]
    wanted = (slot[ids] >= 0) & (row_period >= 0)
    cells = np.bincount(
        row_period[wanted] * len(top) + slot[ids[wanted]], minlength=len(periods) * len(top)
    ).reshape(len(periods), len(top))
    series = []
    for k, code in enumerate(top):
        counts = cells[:, k].tolist()
        series.append(
            {
                "code": strings[code],
                "counts": counts,
                "percent": [round(100 * c / t, 1) if t else 0.0 for c, t in zip(counts, totals, strict=True)],
            }
        )
    return {
        "periods": [f"{a}" if a == b else f"{a}–{b}" for a, b in periods],
        "totals": totals,
        "series": series,
    }


@dataclass(frozen=True)
class _Teams:
    """Co-inventor groups of a table (`analysis.teams` on person ids; a team is named by its root member).

    People are local ids (0..size-1, ascending person id); which member is the root does not show in the result.
    """

    person: np.ndarray  # person id (into vocabs.persons) of each local person
    team_of: np.ndarray  # the root of each local person's team, -1 for none
    per_inventor: np.ndarray  # patents of each local person
    team_row: np.ndarray  # table rows naming ≥ 2 members of one team, with that team's root in team_root
    team_root: np.ndarray
    names: list[str]  # vocabs.persons.strings

    def name(self, local: int) -> str:
        return self.names[int(self.person[local])]

    def ranked(self, top: int) -> list[tuple[int, int, str]]:
        """(root, patents, lead) of the `top` teams with patents: by patents descending, then lead name."""
        patents = np.bincount(self.team_root, minlength=len(self.person))
        roots = np.flatnonzero(patents > 0)
        if 0 < top < len(roots):
            threshold = np.partition(patents[roots], len(roots) - top)[len(roots) - top]
            roots = roots[patents[roots] >= threshold]  # the top ones and every tie at the last place
        # the lead: most patents, then the smallest name (only members with their team's most patents compete)
        members = np.flatnonzero(np.isin(self.team_of, roots))
        best = np.zeros(len(self.person), dtype=np.int64)
        np.maximum.at(best, self.team_of[members], self.per_inventor[members])
        contenders = members[self.per_inventor[members] == best[self.team_of[members]]]
        lead: dict[int, str] = {}
        for local, root in zip(contenders.tolist(), self.team_of[contenders].tolist(), strict=True):
            name = self.name(local)
            if root not in lead or name < lead[root]:
                lead[root] = name
        ranked = sorted(
            ((root, int(patents[root]), name) for root, name in lead.items()), key=lambda t: (-t[1], t[2])
        )
        return ranked[:top]

    def members(self, root: int) -> list[str]:
        """The team's members by patents descending, then name."""
        members = np.flatnonzero(self.team_of == root).tolist()
        counts = self.per_inventor
        return [self.name(p) for p in sorted(members, key=lambda p: (-int(counts[p]), self.name(p)))]

    def rows_of(self, person: int) -> np.ndarray:
        """The table rows of the team of this person id (none when not in a team)."""
        local = int(np.searchsorted(self.person, person))
        if local >= len(self.person) or self.person[local] != person or self.team_of[local] < 0:
            return np.zeros(0, dtype=np.int64)
        rows: np.ndarray = self.team_row[self.team_root == self.team_of[local]]
        return rows


def _components(size: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The smallest member of each node's connected component (edges a–b): hook roots, then jump pointers."""
    labels = np.arange(size, dtype=np.int64)
    while True:
        low = np.minimum(labels[a], labels[b])
        hooked = labels.copy()
        np.minimum.at(hooked, labels[a], low)
        np.minimum.at(hooked, labels[b], low)
        while True:
            jumped = hooked[hooked]
            if np.array_equal(jumped, hooked):
                break
            hooked = jumped
        if np.array_equal(hooked, labels):
            return labels
        labels = hooked


def _teams(table: FactTable, *, min_shared: int = 2) -> _Teams | None:
    """`analysis.teams` on the inventor ids: pairs of one patent's people counted as one integer key each."""
    inventors = table.inventors
    people = table.vocabs.inventor_persons(inventors.ids)[inventors.ids]
    named = people >= 0
    person, local = np.unique(people[named], return_inverse=True)
    size = len(person)
    if size < 2:
        return None
    n = len(table)
    pairs = _distinct(inventors.row_of()[named] * size + local)  # each (patent, person) once
    flat_rows, flat_people = np.divmod(pairs, size)
    per_inventor = np.bincount(flat_people, minlength=size)
    per_patent = np.bincount(flat_rows, minlength=n)
    starts = np.concatenate(([0], np.cumsum(per_patent)[:-1]))
    keys = []
    for k in _distinct(per_patent).tolist():
        if not 2 <= k <= MAX_TEAM_INVENTORS:
            continue
        m = flat_people[starts[per_patent == k][:, None] + np.arange(k)]
        a, b = np.triu_indices(k, 1)
        keys.append((m[:, a] * size + m[:, b]).ravel())
    if not keys:
        return None
    pair_keys, pair_counts = np.unique(np.concatenate(keys), return_counts=True)
    first, second = np.divmod(pair_keys[pair_counts >= min_shared], size)
    if not len(first):
        return None
    in_team = np.zeros(size, dtype=bool)
    in_team[first] = in_team[second] = True
    team_of = np.where(in_team, _components(size, first, second), -1)
    roots = team_of[flat_people]
    keep = roots >= 0
    row_team, seen = np.unique(flat_rows[keep] * size + roots[keep], return_counts=True)
    team_row, team_root = np.divmod(row_team[seen >= 2], size)
    return _Teams(person, team_of, per_inventor, team_row, team_root, table.vocabs.persons.strings)


def analyse_table(
    table: FactTable,
    *,
    known_holder_types: Mapping[str, str] | None = None,
    top: int = 20,
    recent_years: int = RECENT_YEARS,
) -> dict[str, Any]:
    """== analyse(table.rows(), known_holder_types=..., top=..., recent_years=...), computed on the columns."""
    v = table.vocabs
    n = len(table)
    years = _by_year(table)
    known_years = [y["year"] for y in years if y["year"] != UNKNOWN_YEAR]
    last_year = max(known_years) if known_years else None
    apps_by_year = {y["year"]: y["applications"] for y in years if y["year"] != UNKNOWN_YEAR}

    holders = table.holders
    holder_strings = v.holders.strings
    holder_counts = np.bincount(holders.ids, minlength=len(v.holders))
    holder_rows = holders.row_of()
    holder_years = table.app_year[holder_rows]
    dated = holder_years != 0
    first_year_of = np.full(len(v.holders), np.iinfo(np.int32).max, dtype=np.int32)
    np.minimum.at(first_year_of, holders.ids[dated], holder_years[dated])
    has_first = first_year_of != np.iinfo(np.int32).max
    conc = _concentration(holder_counts)
    kinds = _holder_kinds(table, known_holder_types, empty_known_falls_back=False)
    kind_strings = v.holder_kinds.strings

    def first_year(i: int) -> int | None:
        return int(first_year_of[i]) if has_first[i] else None

    top_holders = []
    for i, count in _ranked(holder_counts, holder_strings, top):
        kind = kind_strings[kinds[i]]
        top_holders.append(
            {
                "name": holder_strings[i],
                "type": kind,
                "type_label": HOLDER_TYPE_LABELS[HolderType(kind)],
                "patents": count,
                "share": round(count / conc.total, 4) if conc.total else 0.0,
                "first_year": first_year(i),
            }
        )
    # each row counts once per type of its holders; a row without holders is "other"
    kind_pairs = _distinct(holder_rows * (len(kind_strings) + 1) + kinds[holders.ids]) % (
        len(kind_strings) + 1
    )
    kind_counts = np.bincount(kind_pairs, minlength=len(kind_strings)).tolist()
    holder_types: dict[str, int] = {kind_strings[k]: c for k, c in enumerate(kind_counts) if c}
    without = int((holders.lengths() == 0).sum())
    if without:
        holder_types["other"] = holder_types.get("other", 0) + without

    entrants: list[dict[str, Any]] = []
    since = None
    entrant_count = 0
    if last_year is not None:
        since = last_year - recent_years + 1
        newcomer = has_first & (first_year_of >= since)
        entrant_count = int(newcomer.sum())
        entrants = [
            {"name": holder_strings[i], "first_year": first_year(i), "patents": count}
            for i, count in _ranked(np.where(newcomer, holder_counts, 0), holder_strings, top)
        ]
    group_counts = np.bincount(table.groups.ids, minlength=len(v.groups))
    top_ipc = _ranked(group_counts, v.groups.strings, top)
    industry_pairs = table.industries.unique_pairs()
    industry_counts = np.bincount(industry_pairs[1], minlength=len(v.industries))
    top_industries = _ranked(industry_counts, v.industries.strings, top)

    team_list: list[dict[str, Any]] = []
    found = _teams(table)
    if found is not None:
        for root, patents, lead in found.ranked(top):
            members = found.members(root)
            team_list.append({"lead": lead, "members": members, "size": len(members), "patents": patents})
    inside = n if table.inside is None else int(table.inside.sum())
    group_pairs = (table.groups.row_of(), table.groups.ids.astype(np.int64))
    return {
        "patents": n,
        "unknown_year": int((table.app_year == 0).sum()),
        "by_year": years,
        "growth": growth_series(apps_by_year),
        "recent_growth_percent": (
            window_growth(apps_by_year, last_year=last_year, window=recent_years) if last_year else None
        ),
        "last_year": last_year,
        "types": _string_counts(table.patent_type, v.types.strings),
        "statuses": _string_counts(table.legal_status, v.statuses.strings),
        "holders": top_holders,
        "holder_count": conc.holders,
        "holder_types": dict(sorted(holder_types.items())),
        "concentration": {"cr4": conc.cr4, "hhi": conc.hhi, "holder_patents": conc.total},
        "new_entrants": entrants,
        "new_entrants_since": since,
        "new_entrant_count": entrant_count,
        "teams": team_list,
        "ipc": [{"code": v.groups.strings[i], "patents": c} for i, c in top_ipc],
        "ipc_groups": int((group_counts > 0).sum()),
        "ipc_shift": _composition_shift(table, group_pairs, [i for i, _ in top_ipc[:8]], v.groups.strings),
        "industries": [{"code": v.industries.strings[i], "patents": c} for i, c in top_industries],
        "industry_shift": _composition_shift(
            table, industry_pairs, [i for i, _ in top_industries[:8]], v.industries.strings
        ),
        "region": {"inside": inside, "outside": n - inside},
    }


def _string_counts(ids: np.ndarray, strings: list[str]) -> dict[str, int]:
    counts = np.bincount(ids, minlength=len(strings)).tolist()
    return dict(sorted((strings[i], c) for i, c in enumerate(counts) if c))


def facet_positions(
    table: FactTable, facet: str, value: str, *, known_holder_types: Mapping[str, str] | None = None
) -> list[int]:
    """== facet_ids(table.rows(), facet, value, ...): the sorted patent ids behind one figure."""
    v = table.vocabs

    def having(csr: Csr, vocab: Vocab) -> np.ndarray:
        found = vocab.find(value)
        mask = np.zeros(len(vocab), dtype=bool)
        if found is not None:
            mask[found] = True
        return csr.rows_with_any(mask)

    def equal(column: np.ndarray, vocab: Vocab) -> np.ndarray:
        found = vocab.find(value)
        result: np.ndarray = column == (-1 if found is None else found)
        return result

    def year(column: np.ndarray) -> np.ndarray:
        wanted = year_value(value)
        if wanted == 0:  # 0 stands for "none" in the columns; no row has the year 0
            return np.zeros(len(table), dtype=bool)
        result: np.ndarray = column == (0 if wanted is None else wanted)
        return result

    mask: np.ndarray
    try:
        if facet == "app_year":
            mask = year(table.app_year)
        elif facet == "grant_year":
            mask = year(table.grant_year)
        elif facet == "type":
            mask = equal(table.patent_type, v.types)
        elif facet == "status":
            mask = equal(table.legal_status, v.statuses)
        elif facet == "holder":
            mask = having(table.holders, v.holders)
        elif facet == "holder_type":
            kinds = _holder_kinds(table, known_holder_types, empty_known_falls_back=False)
            found = v.holder_kinds.find(value)
            mask = table.holders.rows_with_any(kinds == (-1 if found is None else found))
            if value == "other":
                mask |= table.holders.lengths() == 0
        elif facet == "ipc":
            mask = having(table.groups, v.groups)
        elif facet == "industry":
            mask = having(table.industries, v.industries)
        elif facet == "region":
            mask = table._inside_or_true() == (value == "inside")
        elif facet == "team":
            return _team_patents(table, value)
        else:
            return []
    except ValueError:  # a year that is not a number
        return []
    ids: list[int] = np.sort(table.patent_id[mask]).tolist()
    return ids


def _team_patents(table: FactTable, value: str) -> list[int]:
    found = _teams(table)
    person = table.vocabs.persons.find(normalise_person(value))
    if found is None or person is None:
        return []
    ids: list[int] = np.sort(table.patent_id[found.rows_of(person)]).tolist()
    return ids
