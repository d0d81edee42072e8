"""The patent row handler: validate, upsert patents by 申请号 (else publication number), file inventory rows.

Fast path: per batch, two SELECTs prefetch the known keys, new patents and inventory rows go in with one
`executemany` each; only the rare changed records go through the ORM. Everything runs in the framework's
batch transaction, so a crash leaves either the whole batch or none of it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from engine.identifiers.application_number import NumberError, normalise_publication_number
from panhuo.accounts.models import College
from panhuo.common.audit import audit_record
from panhuo.imports.models import ImportJob
from panhuo.imports.registry import BatchResult, ImportHandler, Row, RowReject, register
from panhuo.patents.importing import columns as C
from panhuo.patents.importing.holding import CO_HOLDER, OTHER, OWN, Holding
from panhuo.patents.importing.parse import (
    INVENTORY_VALUE_FIELDS,
    PATENT_FIELDS,
    Parsed,
    RowParser,
    fast_app_no,
    params_from_values,
    values_from_params,
)
from panhuo.patents.models import InventoryRecord, InventoryState, LegalStatus, Patent

INVENTORY_FIELDS = (
    "organization",
    "patent",
    "college",
    "state",
    "first_inventor",
    "filer",
    "proxy_filing",
    "fiscal_funded",
    "implementation_status",
    "conversion_intent",
    "conversion_modes",
    "trl",
    "value_self_grade",
    "application_scenarios",
    "industrialisation_prospects",
    "contact_name",
    "contact_phone",
    "contact_email",
    "is_demo",
)
_INV_VALUE_FIELDS = INVENTORY_VALUE_FIELDS  # the 建档 fields that, when filled, make the record a draft
_EDITABLE_STATES = (InventoryState.UNFILED, InventoryState.DRAFT)


@dataclass
class _Target:
    """A patent known in this batch: stored (id set) or about to be inserted (params set)."""

    id: int | None
    app_no: str | None
    pub_no: str | None
    content_hash: str
    params: tuple[Any, ...] | None = None  # PATENT_FIELDS' database values of a new record
    changes: dict[str, Any] = field(default_factory=dict)


@register
class PatentImportHandler(ImportHandler):
    kind = "patents"
    label_zh = "专利批量建档"
    template_version = C.TEMPLATE_VERSION
    roles = ("institution_admin", "college_admin")
    # Rows per transaction. At a million stored patents each batch dirties ~2,000 random pages of the 申请号
    # index alone: larger batches write far fewer WAL pages per row; 5,000 rows hold the write lock ~0.2 s.
    batch_size = 5000
    columns = C.COLUMNS
    parallel_prepare = True  # prepare_batch only parses: large files parse in a second process

    def __init__(self) -> None:
        self._seen_app = SeenKeys()
        self._seen_pub = SeenKeys()
        self._colleges: dict[str, int] | None = None
        self._prepared: dict[str, Any] | None = None
        self._parser: RowParser | None = None
        self._holding: Holding | None = None

    # --- per-run state -------------------------------------------------------------------------------
    def _college_lookup(self, job: ImportJob) -> dict[str, int]:
        if self._colleges is None:
            lookup: dict[str, int] = {}
            for cid, code, name in College.objects.filter(organization_id=job.organization_id).values_list(
                "id", "code", "name"
            ):
                lookup[code.strip().lower()] = cid
                lookup[name.strip().lower()] = cid
            self._colleges = lookup
        return self._colleges

    def replay(self, job: ImportJob, rows: list[Row]) -> None:
        for _, row in rows:
            try:
                app = fast_app_no(row["app_no"]) if row.get("app_no") else None
                pub = normalise_publication_number(row["pub_no"])[0] if row.get("pub_no") else None
            except NumberError:
                continue
            if app:
                self._seen_app.add(app)
            if pub:
                self._seen_pub.add(pub)

    def template_example(self) -> dict[str, str]:
        return dict(C.TEMPLATE_EXAMPLE)

    def parser(self, job: ImportJob) -> RowParser:
        if self._parser is None:
            opts = job.options or {}
            self._parser = RowParser(
                colleges=self._college_lookup(job),
                source=str(opts.get("source") or "import"),
                is_demo=bool(opts.get("is_demo", False)),
                is_synthetic=bool(opts.get("is_synthetic", False)),
            )
        return self._parser

    def holding(self, job: ImportJob) -> Holding:
        if self._holding is None:
            self._holding = Holding(organization_id=job.organization_id, job_id=job.pk)
        return self._holding

    def open(self, job: ImportJob) -> None:
        self.parser(job)  # reads the tenant's colleges: prepare_batch must not touch the database
        if connection.vendor == "sqlite":
            # 32 MiB page cache for this connection: the patent indexes outgrow the 2 MiB default (64+ no faster)
            with connection.cursor() as cur:
                cur.execute("PRAGMA cache_size = -32768")

    # --- the batch ---------------------------------------------------------------------------------------
    def prepare_batch(self, job: ImportJob, rows: list[Row]) -> ParsedBatch:
        """Parse and validate (no database): the accepted rows, as columns, and the rejects."""
        batch = ParsedBatch()
        parse = self.parser(job).parse
        for line, row in rows:
            p = parse(line, row)
            if isinstance(p, list):
                batch.rejects.extend(p)
            else:
                batch.add(p)
        return batch

    def process_batch(self, job: ImportJob, rows: ParsedBatch) -> BatchResult:
        result = BatchResult()
        result.rejects.extend(rows.rejects)
        now = timezone.now()
        if self._all_new(rows):
            # Fast path (a first import): no key of the batch is stored or seen earlier in the file and no two
            # rows share one, so every row is a new patent with a new 建档 record: no merges, no conflicts.
            ids = self._insert_patents(rows.params, rows.app_nos, rows.pub_nos, now)
            new = self._new_inventory(job, now)
            self._insert_inventory(
                [
                    new.row(pid, college_id, first_inventor, inventory)
                    for pid, college_id, first_inventor, inventory in zip(
                        ids, rows.college_ids, rows.first_inventors, rows.inventories, strict=True
                    )
                ]
            )
            self.holding(job).insert_holders(ids)
            self._seen_app.update([a for a in rows.app_nos if a])
            self._seen_pub.update([b for b in rows.pub_nos if b])
            result.inserted += len(ids)
            return result
        candidates = rows.rows()
        by_app, by_pub = self._prefetch(candidates)
        holding = self.holding(job)
        holding.load([t.id for t in (*by_app.values(), *by_pub.values()) if t.id is not None])
        co_rows: list[tuple[Parsed, int]] = []
        parsed: list[Parsed] = []
        batch_app: set[str] = set()  # keys of this batch so far
        batch_pub: set[str] = set()
        for p in candidates:
            # A key met in an earlier batch of this file was committed, so it is stored: only stored keys can be
            # duplicates across batches (and the hashed SeenKeys is only asked about those).
            if p.app_no:
                dup = p.app_no in batch_app or (p.app_no in by_app and p.app_no in self._seen_app)
                batch_app.add(p.app_no)
            else:
                dup = p.pub_no in batch_pub or (p.pub_no in by_pub and p.pub_no in self._seen_pub)
            if p.pub_no:
                batch_pub.add(p.pub_no)
            if dup:
                column = "app_no" if p.app_no else "pub_no"
                result.rejects.append(
                    RowReject(
                        p.line,
                        column,
                        str(p.app_no if p.app_no else p.pub_no),
                        "duplicate_in_file",
                        "与本文件前面的行重复（同一申请号/公开号），已忽略",
                        "duplicate of an earlier row of this file",
                    )
                )
                continue
            parsed.append(p)

        new_targets: list[_Target] = []
        row_targets: list[
            tuple[Parsed, _Target, str]
        ] = []  # (row, patent, "insert" | "update" | "unchanged")
        for p in parsed:
            t_app = by_app.get(p.app_no) if p.app_no else None
            t_pub = by_pub.get(p.pub_no) if p.pub_no else None
            if t_app is not None and t_pub is not None and t_app is not t_pub:
                result.rejects.append(_conflict(p, row_value=p.pub_no or ""))
                continue
            target = t_app or t_pub
            if target is not None and p.app_no and target.app_no and target.app_no != p.app_no:
                result.rejects.append(_conflict(p, row_value=p.pub_no or ""))
                continue
            standing = OWN
            if target is not None and target.id is not None:
                standing = holding.standing(target.id)
                if standing == OTHER:
                    result.rejects.append(holding.refusal(p, target.id))
                    continue
                holding.accept(target.id)
            if target is None:
                target = _Target(None, p.app_no, p.pub_no, p.content_hash, params=p.params)
                new_targets.append(target)
                action = "insert"
            elif standing == CO_HOLDER:
                co_rows.append((p, target.id))  # type: ignore[arg-type]
                action = "co_holder"
            elif target.content_hash == p.content_hash:
                action = "unchanged"
            else:
                _merge(target, p)
                action = "update"
            if p.app_no:
                by_app[p.app_no] = target
                self._seen_app.add(p.app_no)
            if p.pub_no:
                by_pub[p.pub_no] = target
                self._seen_pub.add(p.pub_no)
            row_targets.append((p, target, action))

        ids = self._insert_patents(
            [t.params for t in new_targets],  # type: ignore[misc]
            [t.app_no for t in new_targets],
            [t.pub_no for t in new_targets],
            now,
        )
        for t, pid in zip(new_targets, ids, strict=True):
            t.id = pid
        holding.insert_holders(ids)
        co_changes, conflicts = holding.co_holder_changes(
            co_rows, str((job.options or {}).get("source") or "import")
        )
        holding.flush_stored(conflicts)
        for i, (p, t, action) in enumerate(row_targets):
            if action == "co_holder":
                changes = co_changes.get(t.id or 0)
                if changes:
                    t.changes.update(changes)
                row_targets[i] = (p, t, "update" if changes else "unchanged")
        self._update_patents(
            job, [t for t in {id(t): t for _, t, a in row_targets if a == "update"}.values()], now
        )
        inv_actions = self._file_inventory(job, row_targets, now)
        for (_, _, action), inv in zip(row_targets, inv_actions, strict=True):
            if action == "insert" or inv == "insert":
                result.inserted += 1
            elif action == "update" or inv == "update":
                result.updated += 1
            else:
                result.unchanged += 1
        return result

    def _all_new(self, rows: ParsedBatch) -> bool:
        apps = [a for a in rows.app_nos if a]
        pubs = [b for b in rows.pub_nos if b]
        if len(set(apps)) != len(apps) or len(set(pubs)) != len(pubs):
            return False
        # Keys met earlier in this file are stored, so "none stored" also means "none met before".
        return not (_any_key("app_no", apps) or _any_key("pub_no", pubs))

    def _prefetch(self, parsed: list[Parsed]) -> tuple[dict[str, _Target], dict[str, _Target]]:
        apps = [p.app_no for p in parsed if p.app_no]
        pubs = [p.pub_no for p in parsed if p.pub_no]
        by_id: dict[int, _Target] = {}
        rows = _select_keys("app_no", apps) + _select_keys("pub_no", pubs)
        by_app: dict[str, _Target] = {}
        by_pub: dict[str, _Target] = {}
        for pid, app, pub, h in rows:
            t = by_id.get(pid)
            if t is None:
                t = by_id[pid] = _Target(pid, app, pub, h)
            if app:
                by_app[app] = t
            if pub:
                by_pub[pub] = t
        return by_app, by_pub

    # --- writes ------------------------------------------------------------------------------------------
    def _prep(self) -> dict[str, Any]:
        if self._prepared is None:
            pfields = {f.name: f for f in Patent._meta.concrete_fields}
            rest = [
                f for f in Patent._meta.concrete_fields if not f.primary_key and f.name not in PATENT_FIELDS
            ]
            rest = [f for f in rest if f.name not in ("created_at", "updated_at")]
            ifields = {f.name: f for f in InventoryRecord._meta.concrete_fields}
            irest = [
                f
                for f in InventoryRecord._meta.concrete_fields
                if not f.primary_key
                and f.name not in INVENTORY_FIELDS
                and f.name not in ("created_at", "updated_at")
            ]
            # Columns the importer does not set get their model default as an SQL literal where it is a plain
            # value (fewer parameters to bind per row); anything else stays a bound parameter.
            p_const, p_bound = _split_defaults(rest)
            i_const, i_bound = _split_defaults(irest)
            pcols = (
                [str(pfields[n].column) for n in PATENT_FIELDS]
                + [str(f.column) for f, _ in p_bound]
                + ["created_at", "updated_at"]
            )
            icols = (
                [str(ifields[n].column) for n in INVENTORY_FIELDS]
                + [str(f.column) for f, _ in i_bound]
                + ["created_at", "updated_at"]
            )
            self._prepared = {
                "patent_rest": tuple(v for _, v in p_bound),
                "inventory_rest": tuple(v for _, v in i_bound),
                "modes": ifields["conversion_modes"],
                "phone": ifields["contact_phone"],
                "patent_sql": _insert_sql(Patent._meta.db_table, pcols, p_const),
                "inventory_sql": _insert_sql(InventoryRecord._meta.db_table, icols, i_const),
            }
        return self._prepared

    def _insert_patents(
        self,
        params: list[tuple[Any, ...]],
        app_nos: list[str | None],
        pub_nos: list[str | None],
        now: dt.datetime,
    ) -> list[int]:
        """Insert new patents (PATENT_FIELDS values); their ids, in order."""
        if not params:
            return []
        prep = self._prep()
        stamp = connection.ops.adapt_datetimefield_value(now)
        tail = (*prep["patent_rest"], stamp, stamp)
        with connection.cursor() as cur:
            cur.executemany(prep["patent_sql"], [(*values, *tail) for values in params])
            if connection.vendor == "sqlite":
                # One INSERT statement run N times inside this transaction, which holds SQLite's only write
                # lock, with no rowid given: the new AUTOINCREMENT ids are consecutive, ending at the last.
                cur.execute("SELECT last_insert_rowid()")
                last = int(cur.fetchone()[0])
                return list(range(last - len(params) + 1, last + 1))
        # Other databases: the new ids by key (a new record has its 申请号 or, failing that, its publication number).
        ids_app = {r[1]: r[0] for r in _select_keys("app_no", [a for a in app_nos if a])}
        ids_pub = {
            r[2]: r[0]
            for r in _select_keys("pub_no", [b for a, b in zip(app_nos, pub_nos, strict=True) if not a and b])
        }
        return [ids_app[a] if a else ids_pub[b] for a, b in zip(app_nos, pub_nos, strict=True)]  # type: ignore[index]

    def _new_inventory(self, job: ImportJob, now: dt.datetime) -> _NewInventory:
        prep = self._prep()
        return _NewInventory(
            org_id=job.organization_id,
            filer_id=job.created_by_id,
            is_demo=bool(job.options.get("is_demo", False)),
            rest=prep["inventory_rest"],
            stamp=connection.ops.adapt_datetimefield_value(now),
            modes_field=prep["modes"],
            phone_field=prep["phone"],
        )

    def _insert_inventory(self, rows: list[tuple[Any, ...]]) -> None:
        if rows:
            with connection.cursor() as cur:
                cur.executemany(self._prep()["inventory_sql"], rows)

    def _update_patents(self, job: ImportJob, targets: list[_Target], now: dt.datetime) -> None:
        """Apply the merged changes to stored patents, each change audited with its before/after values."""
        stored = [t for t in targets if t.id is not None and t.changes]
        if not stored:
            return
        objs = Patent.objects.in_bulk([t.id for t in stored])
        fields: set[str] = {"content_hash", "updated_at"}
        for t in stored:
            obj = objs[t.id]  # type: ignore[index]
            before = {name: getattr(obj, name) for name in t.changes}
            for name, value in t.changes.items():
                setattr(obj, name, value)
                fields.add(name)
            after = {name: getattr(obj, name) for name in t.changes if getattr(obj, name) != before[name]}
            if after:
                audit_record(
                    "patent.fields_change",
                    tenant_id=job.organization_id,
                    obj=obj,
                    detail={
                        "job": job.pk,
                        "before": {k: _plain(before[k]) for k in after},
                        "after": {k: _plain(v) for k, v in after.items()},
                    },
                )
            obj.content_hash = t.content_hash
            obj.updated_at = now
        Patent.objects.bulk_update(list(objs.values()), sorted(fields))

    def _file_inventory(
        self, job: ImportJob, row_targets: list[tuple[Parsed, _Target, str]], now: dt.datetime
    ) -> list[str]:
        """The importing tenant's 建档 record for each row: insert, update (unfiled/draft only) or unchanged."""
        if not row_targets:
            return []
        org_id = job.organization_id
        # Only patents stored before this batch can already have this tenant's record.
        ids = list({t.id for _, t, action in row_targets if action != "insert" and t.id is not None})
        existing = _select_inventory(org_id, ids)
        wanted = [existing[t.id]["id"] for p, t, _ in row_targets if p.inventory and t.id in existing]
        if wanted:  # rare: compare the 建档 fields only where the file carries some
            for r in InventoryRecord.objects.filter(pk__in=wanted).values(
                "id", "patent_id", *_INV_VALUE_FIELDS
            ):
                existing[r["patent_id"]].update(r)
        new = self._new_inventory(job, now)
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        actions: list[str] = []
        pending: dict[int, dict[str, Any]] = {}
        for p, t, _ in row_targets:
            pid = t.id
            assert pid is not None
            current = existing.get(pid) or pending.get(pid)
            if current is None:
                row = new.row(pid, p.college_id, p.first_inventor, p.inventory)
                inserts.append(row)
                pending[pid] = {"state": row[3], "college_id": p.college_id, **(p.inventory or {})}
                actions.append("insert")
                continue
            changes: dict[str, Any] = {}
            if p.college_id is not None and current.get("college_id") != p.college_id:
                changes["college_id"] = p.college_id
            if current["state"] in _EDITABLE_STATES:
                for name, value in (p.inventory or {}).items():
                    if current.get(name) != value:
                        changes[name] = value
                if p.inventory and current["state"] == InventoryState.UNFILED:
                    changes["state"] = str(InventoryState.DRAFT)
            if changes and "id" in current:
                updates.append((current["id"], changes))
                current.update(changes)
                actions.append("update")
            else:
                actions.append("unchanged")
        self._insert_inventory(inserts)
        for record_id, changes in updates:
            obj = InventoryRecord.objects.get(pk=record_id)
            for name, value in changes.items():
                setattr(obj, name, value)
            obj.proxy_filing = obj.proxy_filing or bool(set(changes) & set(_INV_VALUE_FIELDS))
            obj.save(update_fields=[*changes, "proxy_filing", "updated_at"])
        return actions


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
    rejects: list[RowReject] = field(default_factory=list)

    def add(self, p: Parsed) -> None:
        self.lines.append(p.line)
        self.app_nos.append(p.app_no)
        self.pub_nos.append(p.pub_no)
        self.params.append(p.params)
        self.college_ids.append(p.college_id)
        self.first_inventors.append(p.first_inventor)
        self.inventories.append(p.inventory)

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
                strict=True,
            )
        ]


@dataclass
class _NewInventory:
    """Builds the insert values of new 建档 records for one batch (column order: INVENTORY_FIELDS + rest)."""

    org_id: int
    filer_id: int | None
    is_demo: bool
    rest: tuple[Any, ...]
    stamp: Any
    modes_field: Any
    phone_field: Any

    def __post_init__(self) -> None:
        # The usual row carries no 建档 values: everything after first_inventor is the same for all of them.
        blank = (None, False, None, "", None, "[]", None, "", "", "", "", "", "", self.is_demo)
        self.blank_tail = (*blank, *self.rest, self.stamp, self.stamp)
        self.unfiled = str(InventoryState.UNFILED)

    def row(
        self, pid: int, college_id: int | None, first_inventor: str, inv: dict[str, Any] | None
    ) -> tuple[Any, ...]:
        if not inv:
            return (self.org_id, pid, college_id, self.unfiled, first_inventor, *self.blank_tail)
        return (
            self.org_id,
            pid,
            college_id,
            str(InventoryState.DRAFT),
            first_inventor,
            self.filer_id,
            True,
            inv.get("fiscal_funded"),
            inv.get("implementation_status", ""),
            inv.get("conversion_intent"),
            self.modes_field.get_db_prep_save(inv["conversion_modes"], connection)
            if "conversion_modes" in inv
            else "[]",
            inv.get("trl"),
            inv.get("value_self_grade", ""),
            inv.get("application_scenarios", ""),
            inv.get("industrialisation_prospects", ""),
            inv.get("contact_name", ""),
            self.phone_field.get_db_prep_save(inv["contact_phone"], connection)
            if "contact_phone" in inv
            else "",
            inv.get("contact_email", ""),
            self.is_demo,
            *self.rest,
            self.stamp,
            self.stamp,
        )


def _in_list(column: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`column IN (values)` with ONE parameter, so the statement text is the same for every batch.

    (One `%s` per value gives a new statement for every batch size: SQLite's statement cache then keeps up to
    128 compiled 5,000-value statements, tens of MB, and compiles each again.)
    """
    if connection.vendor == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(values)]  # noqa: S608 - column: ours
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _any_key(column: str, keys: list[str]) -> bool:
    """Whether any patent has one of `keys` in `column` (stops at the first)."""
    if not keys:
        return False
    table = connection.ops.quote_name(Patent._meta.db_table)
    where, params = _in_list(column, keys)
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", params)  # noqa: S608
        return cur.fetchone() is not None


def _select_keys(column: str, keys: list[str]) -> list[tuple[int, str | None, str | None, str]]:
    """(id, app_no, pub_no, content_hash) of the patents whose `column` is one of `keys` (raw SQL: hot path)."""
    if not keys:
        return []
    table = connection.ops.quote_name(Patent._meta.db_table)
    where, params = _in_list(column, keys)
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, app_no, pub_no, content_hash FROM {table} WHERE {where}", params)  # noqa: S608
        return list(cur.fetchall())


def _select_inventory(org_id: int, patent_ids: list[int]) -> dict[int, dict[str, Any]]:
    """patent id -> {id, state, college_id} of this tenant's 建档 records."""
    if not patent_ids:
        return {}
    table = connection.ops.quote_name(InventoryRecord._meta.db_table)
    where, params = _in_list("patent_id", patent_ids)
    sql = f"SELECT patent_id, id, state, college_id FROM {table} WHERE organization_id = %s AND {where}"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, [org_id, *params])
        return {
            pid: {"id": rid, "state": state, "college_id": cid} for pid, rid, state, cid in cur.fetchall()
        }


def _split_defaults(fields: list[Any]) -> tuple[list[tuple[str, str]], list[tuple[Any, Any]]]:
    """(column, SQL literal) for defaults that are None / bool / int / plain str; (field, value) for the rest."""
    const: list[tuple[str, str]] = []
    bound: list[tuple[Any, Any]] = []
    for f in fields:
        value = f.get_db_prep_save(f.get_default(), connection)
        if value is None:
            const.append((str(f.column), "NULL"))
        elif isinstance(value, bool):
            const.append(
                (
                    str(f.column),
                    ("TRUE" if value else "FALSE") if connection.vendor == "postgresql" else str(int(value)),
                )
            )
        elif isinstance(value, int):
            const.append((str(f.column), str(value)))
        elif isinstance(value, str) and value.isascii() and value.isprintable():
            const.append((str(f.column), "'" + value.replace("'", "''") + "'"))
        else:
            bound.append((f, value))
    return const, bound


def _insert_sql(table: str, cols: list[str], constants: list[tuple[str, str]]) -> str:
    q = connection.ops.quote_name
    names = ", ".join([q(c) for c in cols] + [q(c) for c, _ in constants])
    values = ", ".join(["%s"] * len(cols) + [literal for _, literal in constants])
    return f"INSERT INTO {q(table)} ({names}) VALUES ({values})"  # noqa: S608 - identifiers and model defaults


def _conflict(p: Parsed, *, row_value: str) -> RowReject:
    return RowReject(
        p.line,
        "pub_no",
        row_value,
        "pub_no_conflict",
        "公开（公告）号已属于另一件专利（申请号不同）",
        "the publication number belongs to another patent (different application number)",
    )


def _merge(target: _Target, p: Parsed) -> None:
    """Incoming non-empty values win; an existing 申请号 / publication number is never replaced."""
    source = values_from_params(p.params)
    pending = values_from_params(target.params) if target.params is not None else None
    for name in PATENT_FIELDS[:-1]:
        value = source.get(name)
        if value in (None, "", []):
            continue
        if name in ("is_demo", "is_synthetic", "legal_status") and not value:
            continue
        if name == "legal_status" and value == LegalStatus.UNKNOWN:
            continue
        if name == "app_no" and target.app_no:
            continue
        if name == "pub_no" and target.pub_no:
            continue
        if name == "pub_kind" and target.pub_no and p.pub_no != target.pub_no:
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


def _plain(value: Any) -> Any:
    """A field value as JSON takes it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date) else value
