"""The landscape store's columns as one file (`store.write_snapshot` writes it in the worker, `store._open` reads it
when a process loads its store), so a web worker starts from arrays in ~1 s instead of decoding every fact row
(~20 s and ~450 MB at 1,000,000 facts).

A snapshot is the store's state at a cutoff C: the fact table (its columns and string tables, with the per-string
caches), `fresh` and `early` per row, and C. Read back, it is a process that loaded at C and has not read since:
the store's next read catches up as usual (facts built after C, patents changed after C) and loads again from the
database when the facts built up to C are not what the snapshot holds.

Format (`FORMAT`): an uncompressed `np.savez` archive, no pickle: the arrays by name, a JSON `meta` member
(format, database fingerprint, cutoff, rows, early rows and the sum of their patent ids) and a JSON `vocabs`
member (the string tables). `read` answers None, never raises, for a file that is missing, unreadable, of another
format or database, or whose early rows are not the facts the database holds built up to C (a database restored
or recreated since); the caller then loads from the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection

from engine.landscape.columns import CACHE_NAMES, VOCAB_NAMES, Csr, FactTable, Vocabs
from panhuo.common.idsets import id_array
from panhuo.navigation.models import LandscapeFact

log = logging.getLogger("panhuo.navigation")

FORMAT = 1
_COLUMNS = {
    "patent_id": np.int64,
    "app_year": np.int32,
    "grant_year": np.int32,
    "patent_type": np.int32,
    "legal_status": np.int32,
}
_LISTS = {  # Csr column -> its vocabulary
    "codes": "codes",
    "groups": "groups",
    "holders": "holders",
    "inventors": "inventors",
    "industries": "industries",
}
_SINGLE = {"patent_type": "types", "legal_status": "statuses"}


@dataclass(frozen=True)
class Snapshot:
    table: FactTable
    fresh: np.ndarray
    early: np.ndarray
    cutoff: datetime


def fingerprint(key: str) -> str:
    """The database a store belongs to (`store._database_key()`), as written in the file."""
    return hashlib.sha256(key.encode()).hexdigest()


def _json(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode(), dtype=np.uint8)


def _early_sum(snap: Snapshot) -> int:
    return int(snap.table.patent_id[snap.early].sum())


def _meta(key: str, snap: Snapshot) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "database": fingerprint(key),
        "cutoff": snap.cutoff.isoformat(),
        "rows": len(snap.table),
        "early": int(snap.early.sum()),
        "early_id_sum": _early_sum(snap),
    }


def holds(path: Path, key: str, snap: Snapshot) -> bool:
    """Whether the file at `path` already is this state (its header is what `write` would write)."""
    return header(path) == _meta(key, snap)


def write(path: Path, key: str, snap: Snapshot) -> None:
    """The snapshot into `path`, atomically: a temporary file in the same folder replaces it once complete."""
    table = snap.table
    strings, caches = table.vocabs.export()
    arrays: dict[str, np.ndarray] = {"meta": _json(_meta(key, snap)), "vocabs": _json(strings)}
    # the dtypes `read` expects (no copy where they already are)
    arrays.update({name: np.asarray(getattr(table, name), dtype=dtype) for name, dtype in _COLUMNS.items()})
    for name in _LISTS:
        csr: Csr = getattr(table, name)
        arrays[f"{name}_indptr"] = np.asarray(csr.indptr, dtype=np.int64)
        arrays[f"{name}_ids"] = np.asarray(csr.ids, dtype=np.int32)
    if table.inside is not None:
        arrays["inside"] = np.asarray(table.inside, dtype=np.bool_)
    arrays.update(fresh=np.asarray(snap.fresh, dtype=np.bool_), early=np.asarray(snap.early, dtype=np.bool_))
    arrays.update({f"cache{name}": cache for name, cache in caches.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # mypy: a name could be allow_pickle
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o640)  # mkstemp's 0600 would keep out web workers of the worker's group
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def header(path: Path) -> dict[str, Any] | None:
    """The `meta` member of the file at `path` (None when there is no readable one): cheap, the arrays stay unread."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode())
        return meta if isinstance(meta, dict) else None
    except Exception:
        return None


def _array(archive: Any, name: str, dtype: Any) -> np.ndarray:
    value = archive[name]
    if value.ndim != 1 or value.dtype != np.dtype(dtype):
        raise ValueError(f"{name}: {value.dtype}{value.shape}")
    result: np.ndarray = value
    return result


def _ids_fit(ids: np.ndarray, size: int) -> bool:
    return not len(ids) or (int(ids.min()) >= 0 and int(ids.max()) < size)


def _decode(archive: Any) -> Snapshot:
    """The arrays of an opened archive, checked to fit together (ValueError when not)."""
    strings = json.loads(archive["vocabs"].tobytes().decode())
    if not isinstance(strings, dict) or not all(
        isinstance(strings.get(name), list) and all(isinstance(s, str) for s in strings[name])
        for name in VOCAB_NAMES
    ):
        raise ValueError("vocabs")
    caches = {name: _array(archive, f"cache{name}", np.int32) for name in CACHE_NAMES}
    vocabs = Vocabs.restored(strings, caches)
    columns = {name: _array(archive, name, dtype) for name, dtype in _COLUMNS.items()}
    n = len(columns["patent_id"])
    lists = {}
    for name, vocab in _LISTS.items():
        indptr = _array(archive, f"{name}_indptr", np.int64)
        ids = _array(archive, f"{name}_ids", np.int32)
        if (
            len(indptr) != n + 1
            or indptr[0] != 0
            or indptr[-1] != len(ids)
            or (np.diff(indptr) < 0).any()
            or not _ids_fit(ids, len(getattr(vocabs, vocab)))
        ):
            raise ValueError(name)
        lists[name] = Csr(indptr, ids)
    for name, vocab in _SINGLE.items():
        if not _ids_fit(columns[name], len(getattr(vocabs, vocab))):
            raise ValueError(name)
    inside = _array(archive, "inside", np.bool_) if "inside" in archive.files else None
    fresh, early = _array(archive, "fresh", np.bool_), _array(archive, "early", np.bool_)
    if any(len(a) != n for a in (*columns.values(), fresh, early)) or (
        inside is not None and len(inside) != n
    ):
        raise ValueError("rows")
    table = FactTable(
        patent_id=columns["patent_id"],
        app_year=columns["app_year"],
        grant_year=columns["grant_year"],
        patent_type=columns["patent_type"],
        legal_status=columns["legal_status"],
        codes=lists["codes"],
        groups=lists["groups"],
        holders=lists["holders"],
        inventors=lists["inventors"],
        industries=lists["industries"],
        vocabs=vocabs,
        inside=inside,
    )
    meta = json.loads(archive["meta"].tobytes().decode())
    return Snapshot(table, fresh, early, datetime.fromisoformat(meta["cutoff"]))


# The facts built up to the cutoff, in one statement: what the snapshot's early rows must be (less those rebuilt)
_EARLY = "SELECT COUNT(*), COALESCE(SUM(patent_id), 0) FROM {facts} WHERE built_at <= %s"


def _matches_database(snap: Snapshot) -> bool:
    """The facts built up to the cutoff are the snapshot's early rows, less those of patents whose fact was
    rebuilt since (built after the cutoff): same number, same sum of patent ids."""
    cutoff = connection.ops.adapt_datetimefield_value(snap.cutoff)
    rebuilt = id_array(LandscapeFact.objects.filter(built_at__gt=snap.cutoff), "patent_id")
    with connection.cursor() as cursor:
        cursor.execute(_EARLY.format(facts=LandscapeFact._meta.db_table), [cutoff])
        count, id_sum = cursor.fetchone()
    kept = snap.early & ~np.isin(snap.table.patent_id, rebuilt)
    return int(count) == int(kept.sum()) and int(id_sum) == int(snap.table.patent_id[kept].sum())


def read(path: Path, key: str) -> Snapshot | None:
    """The snapshot at `path` when it is of this format and database and still matches it (see the module
    docstring); None otherwise, logged."""
    if not path.exists():
        log.info(
            "专利导航快照不存在，从数据库加载 no landscape snapshot at %s: loading from the database", path
        )
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode())
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                log.warning(
                    "专利导航快照格式不同，从数据库加载 landscape snapshot %s of another format: loading from the database",
                    path,
                )
                return None
            if meta.get("database") != fingerprint(key):
                log.warning(
                    "专利导航快照属于另一数据库，从数据库加载 landscape snapshot %s of another database: "
                    "loading from the database",
                    path,
                )
                return None
            snap = _decode(archive)
        if meta.get("rows") != len(snap.table) or (
            meta.get("early"),
            meta.get("early_id_sum"),
        ) != (int(snap.early.sum()), _early_sum(snap)):
            raise ValueError("meta does not describe the arrays")
    except Exception:  # a truncated, corrupt or foreign file: the database load answers instead
        log.warning(
            "专利导航快照无法读取，从数据库加载 landscape snapshot %s unreadable: loading from the database",
            path,
            exc_info=True,
        )
        return None
    if not _matches_database(snap):
        log.warning(
            "专利导航快照与数据库不符，从数据库加载 landscape snapshot %s does not match the database "
            "(restored or recreated since): loading from the database",
            path,
        )
        return None
    return snap
