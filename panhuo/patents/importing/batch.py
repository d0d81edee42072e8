"""The import's in-memory batch state: parsed rows as columns, keys met earlier in the file, and the patent each
row resolves to (stored or new), with the merge rule for a row that meets a known patent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from panhuo.imports.registry import RowReject
from panhuo.patents.importing.parse import PATENT_FIELDS, Parsed, params_from_values, values_from_params
from panhuo.patents.models import LegalStatus


class SeenKeys:
    """Keys met earlier in this file, as 64-bit hashes in a sorted numpy array: 8 bytes a key instead of ~100
    for a set of strings (a million-row file). A hit may be a hash collision, so callers ask only about keys
    they know are stored, which makes a false "duplicate" need both a collision and a key stored before."""

    FLUSH = 50_000

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.int64)
        self._recent: set[int] = set()

    def add(self, key: str) -> None:
        self._recent.add(hash(key))
        if len(self._recent) >= self.FLUSH:
            self._flush()

    def update(self, keys: list[str]) -> None:
        self._recent.update(map(hash, keys))
        if len(self._recent) >= self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        fresh = np.fromiter(self._recent, dtype=np.int64, count=len(self._recent))
        self._sorted = np.union1d(self._sorted, fresh)
        self._recent.clear()

    def __contains__(self, key: object) -> bool:
        h = hash(key)
        if h in self._recent:
            return True
        i = int(np.searchsorted(self._sorted, h))
        return i < len(self._sorted) and int(self._sorted[i]) == h


@dataclass
class ParsedBatch:
    """A prepared batch: the accepted rows as parallel columns (cheap to pickle across processes) + rejects."""

    lines: list[int] = field(default_factory=list)
    app_nos: list[str | None] = field(default_factory=list)
    pub_nos: list[str | None] = field(default_factory=list)
    params: list[tuple[Any, ...]] = field(default_factory=list)
    college_ids: list[int | None] = field(default_factory=list)
    first_inventors: list[str] = field(default_factory=list)
    inventories: list[dict[str, Any] | None] = field(default_factory=list)
    extras: list[tuple[Any, ...] | None] = field(default_factory=list)
    rejects: list[RowReject] = field(default_factory=list)

    def add(self, p: Parsed, extras: tuple[Any, ...] | None = None) -> None:
        self.lines.append(p.line)
        self.app_nos.append(p.app_no)
        self.pub_nos.append(p.pub_no)
        self.params.append(p.params)
        self.college_ids.append(p.college_id)
        self.first_inventors.append(p.first_inventor)
        self.inventories.append(p.inventory)
        self.extras.append(extras)

    def rows(self) -> list[Parsed]:
        return [
            Parsed(*cols)
            for cols in zip(
                self.lines,
                self.app_nos,
                self.pub_nos,
                self.params,
                self.college_ids,
                self.first_inventors,
                self.inventories,
                self.extras,
                strict=True,
            )
        ]


@dataclass
class Target:
    """A patent known in this batch: stored (id set) or about to be inserted (params set)."""

    id: int | None
    app_no: str | None
    pub_no: str | None
    content_hash: str
    params: tuple[Any, ...] | None = None  # PATENT_FIELDS' database values of a new record
    changes: dict[str, Any] = field(default_factory=dict)


def duplicate_reject(p: Parsed) -> RowReject:
    return RowReject(
        p.line,
        "app_no" if p.app_no else "pub_no",
        str(p.app_no if p.app_no else p.pub_no),
        "duplicate_in_file",
        "与本文件前面的行重复（同一申请号/公开号），已忽略",
        "duplicate of an earlier row of this file",
    )


def conflict_reject(p: Parsed) -> RowReject:
    return RowReject(
        p.line,
        "pub_no",
        p.pub_no or "",
        "pub_no_conflict",
        "公开（公告）号已属于另一件专利（申请号不同）",
        "the publication number belongs to another patent (different application number)",
    )


def _keeps_stored(name: str, value: Any, target: Target, p: Parsed) -> bool:
    """Whether the incoming `value` of field `name` leaves the known value alone."""
    if value in (None, "", []):
        return True
    if name in ("is_demo", "is_synthetic", "legal_status") and not value:
        return True
    if name == "legal_status" and value == LegalStatus.UNKNOWN:
        return True
    if name == "app_no" and target.app_no:
        return True
    if name == "pub_no" and target.pub_no:
        return True
    return name == "pub_kind" and bool(target.pub_no) and p.pub_no != target.pub_no


def merge(target: Target, p: Parsed) -> None:
    """Incoming non-empty values win; an existing 申请号 / publication number is never replaced."""
    source = values_from_params(p.params)
    pending = values_from_params(target.params) if target.params is not None else None
    for name in PATENT_FIELDS[:-1]:
        value = source.get(name)
        if _keeps_stored(name, value, target, p):
            continue
        if pending is not None:
            pending[name] = value
        else:
            target.changes[name] = value
    if p.app_no and not target.app_no:
        target.app_no = p.app_no
    if p.pub_no and not target.pub_no:
        target.pub_no = p.pub_no
    target.content_hash = p.content_hash
    if pending is not None:
        pending["content_hash"] = p.content_hash
        target.params = params_from_values(pending)
