"""Every landscape fact of the database as columns (`engine.landscape.columns.FactTable`), kept in each process and
caught up with the database at every read, so a page counts a 65,000-patent scope from arrays in milliseconds
instead of fetching, decoding and rebuilding its rows (seconds at 1,000,000 patents).

What keeps it exact — every read asks the database, nothing stored is trusted blindly:
- the store holds the fact rows read at its load, with `fresh` (the fact's stamp equalled its patent's
  `updated_at` then) and `early` (built at or before the cutoff C = load time − LATE_COMMIT_MARGIN);
- each read fetches the facts built after C (they replace the stored rows of their patents; a stored row built
  after C counts only through that fresh copy), the patents changed after C (their stored rows are no longer
  fresh), and the number of facts built up to C: when it differs from the stored early rows still in place, a
  fact was deleted, rolled back or committed late, and the store loads again (a deletion and a late commit
  between two reads would cancel out: a fact's write commits within seconds, LATE_COMMIT_MARGIN is 2 minutes);
- patents that have no fact at all are found by counting patents against facts: when every such patent changed
  after C, they are known (counted as pending where they fall in a scope); otherwise the store says it is not
  `complete` and the reader takes the scope's ids from SQL;
- when more than FOLD_AFTER_ROWS facts were built after C and before the last LATE_COMMIT_MARGIN, they are taken
  into the stored rows and C moves on, so each read's catch-up stays short; the facts built after C are decoded
  once and kept until one is added or rebuilt; only a failed check loads everything again.
Reads never write: the store is process memory; the worker keeps the facts (`facts.py`, `postings.py`).

Cold start from a snapshot (`snapshot.py`): the worker writes its own store to a file every 10 minutes
(`write_snapshot`, `tasks.landscape_snapshot`; rewritten only when its cutoff moved), and a process's first load
reads that file instead of every fact row (~1 s instead of ~20 s at 1,000,000 facts). The file is the whole state
at its cutoff C (rows, `fresh`, `early`, C), so the process is exactly one that loaded at C and has not read
since: its reads catch up as above. It is used only when it is of this database and the facts built up to C are
its early rows (less those rebuilt since): same number, same sum of patent ids, asked at the load; otherwise, and
for every later load of the process (a failed check), the store loads from the database. The worker holds a store
too, for that.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from engine.landscape.columns import FactTable, Vocabs
from panhuo.common.idsets import id_array, ids_in
from panhuo.navigation import snapshot
from panhuo.navigation.models import LandscapeFact
from panhuo.navigation.postings import LATE_COMMIT_MARGIN
from panhuo.patents.models import Patent

log = logging.getLogger("panhuo.navigation")

LOAD_BATCH = 50_000
FOLD_AFTER_ROWS = (
    5_000  # facts built after the cutoff (before the margin) that are taken into the stored rows
)


@dataclass(frozen=True)
class StoredFacts:
    """The facts as the database holds them at one read.

    `parts`: (table, usable) of the stored rows, then of the facts built after the cutoff; `usable` marks the
    rows that are their patent's current, fresh fact.
    `unsettled`: patents whose fact is stale or missing (changed recently): counted as pending where in a scope.
    `complete`: every patent without a usable fact is in `unsettled`; when False, some patent's fact was never
    built and the reader takes a scope's ids from SQL.
    """

    parts: tuple[tuple[FactTable, np.ndarray], tuple[FactTable, np.ndarray]]
    unsettled: np.ndarray
    complete: bool


@dataclass
class _Loaded:
    key: str
    table: FactTable
    fresh: np.ndarray
    early: np.ndarray
    sorted_ids: np.ndarray
    order: np.ndarray
    cutoff: datetime
    early_count: int
    usable: np.ndarray  # fresh and early: the rows each read may use unless replaced or changed since
    stale_ids: np.ndarray  # patents whose early row was stale at the load
    late: _LateRows | None = None  # the last read's facts built after the cutoff


_lock = threading.Lock()
_stores: dict[str, _Loaded] = {}


def _database_key() -> str:
    settings = connection.settings_dict
    return f"{connection.alias}:{connection.vendor}:{settings.get('NAME')}:{settings.get('HOST')}"


# One batch of the load: each fact with its `fresh` and `early` flags computed by the database, read through the
# cursor (Django's per-row converters cost ~2 s at 1,000,000 rows).
_LOAD_BATCH = (
    "SELECT f.patent_id, f.row, CASE WHEN f.patent_updated = p.updated_at THEN 1 ELSE 0 END, "
    "CASE WHEN f.built_at <= %s THEN 1 ELSE 0 END FROM {facts} f JOIN {patents} p ON p.id = f.patent_id "
    "WHERE f.patent_id > %s ORDER BY f.patent_id LIMIT %s"
)


def _decode(rows: list[tuple[str, int, int]], vocabs: Vocabs) -> tuple[FactTable, np.ndarray, np.ndarray]:
    table = FactTable.from_rows([json.loads(r[0]) for r in rows], vocabs)
    fresh = np.fromiter((r[1] for r in rows), dtype=bool, count=len(rows))
    early = np.fromiter((r[2] for r in rows), dtype=bool, count=len(rows))
    return table, fresh, early


def _merged(
    pieces: list[tuple[FactTable, np.ndarray, np.ndarray]],
) -> tuple[FactTable, np.ndarray, np.ndarray]:
    """Batches joined pairwise (each row copied once per level, not once per batch after it)."""
    while len(pieces) > 1:
        joined = []
        for i in range(0, len(pieces) - 1, 2):
            (a, fa, ea), (b, fb, eb) = pieces[i], pieces[i + 1]
            joined.append((a.concat(b), np.concatenate([fa, fb]), np.concatenate([ea, eb])))
        if len(pieces) % 2:
            joined.append(pieces[-1])
        pieces = joined
    return pieces[0]


def _load(key: str) -> _Loaded:
    cutoff = timezone.now() - LATE_COMMIT_MARGIN
    vocabs = Vocabs()
    pieces = [_decode([], vocabs)]
    last = 0
    sql = _LOAD_BATCH.format(facts=LandscapeFact._meta.db_table, patents=Patent._meta.db_table)
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [connection.ops.adapt_datetimefield_value(cutoff), last, LOAD_BATCH])
            batch = cursor.fetchall()
            if not batch:
                break
            last = batch[-1][0]
            # decoded batch by batch: memory holds one batch of Python rows at a time
            pieces.append(_decode([(r[1], r[2], r[3]) for r in batch], vocabs))
    table, fresh, early = _merged(pieces)
    vocabs.warm()  # each string's main group, holder type and person once, here rather than in a request
    return _stored(key, table, fresh, early, cutoff)


def snapshot_path() -> Path | None:
    """Where the worker writes the snapshot and processes read it (`PANHUO_LANDSCAPE_SNAPSHOT`); None: off."""
    path = getattr(settings, "PANHUO_LANDSCAPE_SNAPSHOT", None)
    return Path(path) if path else None


def _open(key: str, *, from_snapshot: bool) -> _Loaded:
    """The store loaded from the worker's snapshot when `from_snapshot` and it still matches the database (see the
    module docstring), else from the database (`_load`)."""
    path = snapshot_path()
    if from_snapshot and path is not None:
        started = time.perf_counter()
        snap = snapshot.read(path, key)
        if snap is not None:
            log.info(
                "专利导航事实从快照加载 landscape store loaded from the snapshot (%d rows, cutoff %s) in %.2f s",
                len(snap.table),
                snap.cutoff.isoformat(),
                time.perf_counter() - started,
            )
            return _stored(key, snap.table, snap.fresh, snap.early, snap.cutoff)
    return _load(key)


def _stored(key: str, table: FactTable, fresh: np.ndarray, early: np.ndarray, cutoff: datetime) -> _Loaded:
    order = np.argsort(table.patent_id, kind="stable")
    return _Loaded(
        key=key,
        table=table,
        fresh=fresh,
        early=early,
        sorted_ids=table.patent_id[order],
        order=order,
        cutoff=cutoff,
        early_count=int(early.sum()),
        usable=fresh & early,
        stale_ids=table.patent_id[~fresh & early],
    )


def _positions(loaded: _Loaded, ids: np.ndarray) -> np.ndarray:
    """Row positions in the stored table of those `ids` it holds."""
    if not len(ids) or not len(loaded.sorted_ids):
        return np.zeros(0, dtype=np.int64)
    at = np.searchsorted(loaded.sorted_ids, ids)
    at = np.minimum(at, len(loaded.sorted_ids) - 1)
    found = loaded.sorted_ids[at] == ids
    return loaded.order[at[found]]


_COUNTS = (
    "SELECT COUNT(*), (SELECT COUNT(*) FROM {facts} WHERE built_at > %s), "
    "(SELECT MAX(built_at) FROM {facts} WHERE built_at > %s), (SELECT COUNT(*) FROM {patents}) FROM {facts}"
)


def _counts(cutoff: datetime) -> tuple[int, int, Any, int]:
    """(facts, facts built after `cutoff`, the newest one's built_at, patents), read in one statement so they
    agree with each other.

    Whole-table counts are cheap (SQLite counts the smallest index; ~12 ms at 1,000,000), a range count of the
    facts built up to the cutoff is not (~60 ms), so that number is the total less the late ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNTS.format(facts=LandscapeFact._meta.db_table, patents=Patent._meta.db_table),
            [connection.ops.adapt_datetimefield_value(cutoff)] * 2,
        )
        total, late, newest, patents = cursor.fetchone()
    return int(total), int(late), newest, int(patents)


@dataclass(frozen=True)
class _LateRows:
    """The facts built after the cutoff as one read decoded them, kept while none is added, rebuilt or removed
    (their number and the newest built_at are the same): within LATE_COMMIT_MARGIN of a large rebuild every read
    sees them again, and decoding 20,000 rows took ~1.5 s a read."""

    signature: tuple[int, Any]
    delta: FactTable
    built_from: list[datetime]  # each fact's stamp (its patent's updated_at when built)
    built: list[datetime]
    replaced_at: np.ndarray  # stored rows of the same patents


def _late_rows(loaded: _Loaded, signature: tuple[int, Any]) -> _LateRows:
    if loaded.late is not None and loaded.late.signature == signature:
        return loaded.late
    rows = (
        list(
            LandscapeFact.objects.filter(built_at__gt=loaded.cutoff)
            .order_by("patent_id")
            .values_list("patent_id", "row", "patent_updated", "built_at")
        )
        if signature[0]
        else []
    )
    delta, _, _ = _decode([(row, 1, 0) for _, row, _, _ in rows], loaded.table.vocabs)
    late = _LateRows(
        signature=signature,
        delta=delta,
        built_from=[r[2] for r in rows],
        built=[r[3] for r in rows],
        replaced_at=_positions(loaded, delta.patent_id),
    )
    loaded.late = late
    return late


@dataclass(frozen=True)
class _CatchUp:
    """What one read learned from the database since the store's cutoff."""

    delta: FactTable  # facts built after the cutoff
    delta_fresh: np.ndarray
    delta_built: list[datetime]
    replaced_at: np.ndarray  # stored rows of the delta's patents
    changed: np.ndarray  # patents changed after the cutoff
    early_now: int
    facts_late: int
    patents: int


def _catch_up(loaded: _Loaded) -> _CatchUp:
    cutoff = loaded.cutoff
    facts_total, facts_late, newest, patents = _counts(cutoff)
    late = _late_rows(loaded, (facts_late, newest))
    changed = np.unique(id_array(Patent.objects.filter(updated_at__gt=cutoff)))
    # a late fact is fresh unless its patent changed after it was built: only patents changed after the cutoff
    # can have, so only their stamps are read (by id: a join here made SQLite walk the patents)
    delta_fresh = np.ones(len(late.delta), dtype=bool)
    recheck = np.flatnonzero(np.isin(late.delta.patent_id, changed))
    if len(recheck):
        ids = late.delta.patent_id[recheck]
        stamps = dict(Patent.objects.filter(pk__in=ids_in(ids)).values_list("pk", "updated_at"))
        for at, pid in zip(recheck.tolist(), ids.tolist(), strict=True):
            delta_fresh[at] = stamps.get(pid) == late.built_from[at]
    return _CatchUp(
        delta=late.delta,
        delta_fresh=delta_fresh,
        delta_built=late.built,
        replaced_at=late.replaced_at,
        changed=changed,
        early_now=facts_total - facts_late,
        facts_late=facts_late,
        patents=patents,
    )


def _consistent(loaded: _Loaded, c: _CatchUp) -> bool:
    """The facts built up to the cutoff are as many as the stored early rows not replaced since."""
    return c.early_now == loaded.early_count - int(loaded.early[c.replaced_at].sum())


def _facts(loaded: _Loaded, c: _CatchUp) -> StoredFacts:
    delta, delta_fresh = c.delta, c.delta_fresh
    usable = loaded.usable
    stale = [loaded.stale_ids, delta.patent_id[~delta_fresh]]
    if len(c.replaced_at) or len(c.changed):
        usable = usable.copy()
        usable[c.replaced_at] = False
        usable[_positions(loaded, c.changed)] = False
        stale[0] = loaded.stale_ids[~np.isin(loaded.stale_ids, delta.patent_id)]
    without_usable = c.changed[~np.isin(c.changed, delta.patent_id[delta_fresh])]
    unsettled = np.unique(np.concatenate([*stale, without_usable]))
    # patents with no fact at all: known when each of them changed after the cutoff (then in `unsettled`)
    in_delta = np.isin(without_usable, delta.patent_id)
    with_fact = int(in_delta.sum()) + int(loaded.early[_positions(loaded, without_usable[~in_delta])].sum())
    complete = c.patents - (c.early_now + c.facts_late) == len(without_usable) - with_fact
    return StoredFacts(((loaded.table, usable), (delta, delta_fresh)), unsettled, complete)


def _folded(loaded: _Loaded, c: _CatchUp, read_started: datetime) -> _Loaded:
    """The stored rows with the delta taken in, and a later cutoff (so each read's delta stays short)."""
    keep = loaded.early.copy()  # a stored row built after the cutoff lives on as its delta row (or is gone)
    keep[c.replaced_at] = False
    kept = np.flatnonzero(keep)
    # a kept row of a patent changed since the cutoff is stale from now on (its fresh fact would be in the delta)
    fresh_kept = loaded.fresh[kept] & ~np.isin(loaded.table.patent_id[kept], c.changed)
    cutoff = read_started - LATE_COMMIT_MARGIN
    table = loaded.table.take(kept).concat(c.delta)
    fresh = np.concatenate([fresh_kept, c.delta_fresh])
    early = np.concatenate(
        [np.ones(len(kept), dtype=bool), np.array([b <= cutoff for b in c.delta_built], dtype=bool)]
    )
    return _stored(loaded.key, table, fresh, early, cutoff)


def stored_facts(*, fold_after: int | None = None) -> StoredFacts:
    """Every current, fresh fact as columns (see the module docstring); loads the store when it must.

    `fold_after`: fold when more facts than this were built after the cutoff (default FOLD_AFTER_ROWS)."""
    key = _database_key()
    threshold = FOLD_AFTER_ROWS if fold_after is None else fold_after
    with _lock:
        loaded = _stores.get(key)
        # the snapshot only for a process's first load of this database: a load after a failed check (the facts
        # changed under the store) reads the database, or a stale snapshot would be loaded again and again
        from_snapshot = loaded is None
        folded = False
        for attempt in range(3):
            last = attempt == 2  # facts changing faster than the store can follow: this read's view is used
            if loaded is None:
                _stores.clear()  # one database per process in use: a store of another is memory for nothing
                loaded = _stores[key] = _open(key, from_snapshot=from_snapshot)
                from_snapshot = False
            started = timezone.now()
            c = _catch_up(loaded)
            if not last and not _consistent(loaded, c):
                loaded = None  # a fact built before the cutoff was deleted, rolled back or committed late
                continue
            settled = sum(1 for built in c.delta_built if built <= started - LATE_COMMIT_MARGIN)
            if not last and not folded and settled > threshold:
                # facts built within the margin stay after any new cutoff: only settled ones are worth a fold
                loaded = _stores[key] = _folded(loaded, c, started)
                folded = True
                continue
            # a row deleted since a load the checks could not confirm cannot show: every reader keeps only
            # patents with a record the viewer sees, read from SQL at each read
            return _facts(loaded, c)
        raise AssertionError("the third attempt always answers")


def write_snapshot(path: Path) -> bool:
    """Write this process's store of the database in use to `path` (`snapshot.write`), caught up first, with every
    settled fact built after its cutoff folded in (so the snapshot's cutoff is recent); False, nothing written,
    when the file already holds this very state (same database, cutoff and rows)."""
    key = _database_key()
    stored_facts(fold_after=0)
    with _lock:
        loaded = _stores.get(key)
        if loaded is None:  # another thread's read of another database replaced it meanwhile
            return False
        state = snapshot.Snapshot(loaded.table, loaded.fresh, loaded.early, loaded.cutoff)
    if snapshot.holds(path, key, state):
        return False
    started = time.perf_counter()
    snapshot.write(path, key, state)  # the arrays are never changed in place: outside the lock
    log.info(
        "专利导航事实快照已写入 landscape snapshot written (%d rows, cutoff %s) in %.2f s",
        len(state.table),
        state.cutoff.isoformat(),
        time.perf_counter() - started,
    )
    return True


def warm_in_background() -> threading.Thread:
    """Load the store in a daemon thread when a web worker starts, so the first 专利导航 page of the process does
    not wait for it (~20 s at 1,000,000 facts); a request arriving meanwhile waits for the load to finish."""

    def warm() -> None:
        try:
            stored_facts()
        except Exception:  # a database not migrated yet, or gone: the first page loads the store instead
            log.warning("专利导航事实预加载失败 landscape store warm-up failed", exc_info=True)
        finally:
            connection.close()  # this thread's connection

    thread = threading.Thread(target=warm, name="landscape-store-warm", daemon=True)
    thread.start()
    return thread
