"""The patent row handler: validate, upsert patents by 申请号 (else publication number), file inventory rows.

Fast path: per batch, two SELECTs prefetch the known keys, new patents and inventory rows go in with one
`executemany` each; only the rare changed records go through the ORM. Everything runs in the framework's
batch transaction, so a crash leaves either the whole batch or none of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from engine.identifiers.application_number import NumberError, normalise_publication_number
from panhuo.accounts.models import College
from panhuo.imports.models import ImportJob
from panhuo.imports.registry import BatchResult, ImportHandler, Row, RowReject, register
from panhuo.patents.importing import columns as C
from panhuo.patents.importing.parse import INVENTORY_VALUE_FIELDS, Parsed, RowParser, fast_app_no
from panhuo.patents.models import InventoryRecord, InventoryState, LegalStatus, Patent

# Patent columns the importer sets (the rest take their model defaults).
PATENT_FIELDS = (
    "app_no",
    "pub_no",
    "pub_kind",
    "patent_type",
    "title",
    "abstract",
    "ipc_main",
    "ipc_codes",
    "ipc_section",
    "ipc_class",
    "ipc_subclass",
    "ipc_historic",
    "applicants",
    "patentees",
    "inventors",
    "application_date",
    "publication_date",
    "grant_date",
    "legal_status",
    "source",
    "is_demo",
    "is_synthetic",
    "content_hash",
)
_LIST_FIELDS = frozenset({"ipc_codes", "ipc_historic", "applicants", "patentees", "inventors"})
_DATE_FIELDS = frozenset({"application_date", "publication_date", "grant_date"})
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
    """A patent known in this batch: stored (id set) or about to be inserted (values set)."""

    id: int | None
    app_no: str | None
    pub_no: str | None
    content_hash: str
    values: dict[str, Any] | None = None
    changes: dict[str, Any] = field(default_factory=dict)


@register
class PatentImportHandler(ImportHandler):
    kind = "patents"
    label_zh = "专利批量建档"
    template_version = C.TEMPLATE_VERSION
    roles = ("institution_admin", "college_admin")
    batch_size = 2000
    columns = C.COLUMNS

    def __init__(self) -> None:
        self._seen_app: set[str] = set()
        self._seen_pub: set[str] = set()
        self._colleges: dict[str, int] | None = None
        self._prepared: dict[str, Any] | None = None
        self._parser: RowParser | None = None

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

    # --- the batch ---------------------------------------------------------------------------------------
    def process_batch(self, job: ImportJob, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        parsed: list[Parsed] = []
        parse = self.parser(job).parse
        batch_app: set[str] = set()  # keys of this batch so far (self._seen_*: committed rows of this file)
        batch_pub: set[str] = set()
        for line, row in rows:
            p = parse(line, row)
            if isinstance(p, list):
                result.rejects.extend(p)
                continue
            if p.app_no:
                dup = p.app_no in self._seen_app or p.app_no in batch_app
                batch_app.add(p.app_no)
            else:
                dup = p.pub_no in self._seen_pub or p.pub_no in batch_pub
            if p.pub_no:
                batch_pub.add(p.pub_no)
            if dup:
                column = "app_no" if p.app_no else "pub_no"
                result.rejects.append(
                    RowReject(
                        line,
                        column,
                        row[column],
                        "duplicate_in_file",
                        "与本文件前面的行重复（同一申请号/公开号），已忽略",
                        "duplicate of an earlier row of this file",
                    )
                )
                continue
            parsed.append(p)

        by_app, by_pub = self._prefetch(parsed)
        now = timezone.now()
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
            if target is None:
                target = _Target(None, p.app_no, p.pub_no, p.content_hash, values=p.values)
                new_targets.append(target)
                action = "insert"
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

        self._insert_patents(new_targets, now)
        self._update_patents(
            [t for t in {id(t): t for _, t, a in row_targets if a == "update"}.values()], now
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
            pcols = (
                [str(pfields[n].column) for n in PATENT_FIELDS]
                + [str(f.column) for f in rest]
                + ["created_at", "updated_at"]
            )
            icols = (
                [str(ifields[n].column) for n in INVENTORY_FIELDS]
                + [str(f.column) for f in irest]
                + ["created_at", "updated_at"]
            )
            self._prepared = {
                "json": pfields["ipc_codes"],
                "empty_json": pfields["ipc_codes"].get_db_prep_save([], connection),
                "dump": _json_dumper(pfields["ipc_codes"]),
                "patent_rest": tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest),
                "inventory_rest": tuple(f.get_db_prep_save(f.get_default(), connection) for f in irest),
                "modes": ifields["conversion_modes"],
                "phone": ifields["contact_phone"],
                "patent_sql": _insert_sql(Patent._meta.db_table, pcols),
                "inventory_sql": _insert_sql(InventoryRecord._meta.db_table, icols),
            }
        return self._prepared

    def _insert_patents(self, targets: list[_Target], now: dt.datetime) -> None:
        if not targets:
            return
        prep = self._prep()
        if connection.vendor == "sqlite" and not prep.get("cache_set"):
            with (
                connection.cursor() as cur
            ):  # 64 MiB page cache: the patent indexes outgrow the 2 MiB default
                cur.execute("PRAGMA cache_size = -65536")
            prep["cache_set"] = True
        ops = connection.ops
        dump = prep["dump"]
        empty = prep["empty_json"]
        stamp = ops.adapt_datetimefield_value(now)
        tail = (*prep["patent_rest"], stamp, stamp)
        day = ops.adapt_datefield_value
        params = []
        for t in targets:
            v = t.values or {}
            ad, pd, gd = v["application_date"], v["publication_date"], v["grant_date"]
            params.append(
                (
                    v["app_no"],
                    v["pub_no"],
                    v["pub_kind"],
                    v["patent_type"],
                    v["title"],
                    v["abstract"],
                    v["ipc_main"],
                    dump(v["ipc_codes"]) if v["ipc_codes"] else empty,
                    v["ipc_section"],
                    v["ipc_class"],
                    v["ipc_subclass"],
                    dump(v["ipc_historic"]) if v["ipc_historic"] else empty,
                    dump(v["applicants"]) if v["applicants"] else empty,
                    dump(v["patentees"]) if v["patentees"] else empty,
                    dump(v["inventors"]) if v["inventors"] else empty,
                    day(ad) if ad else None,
                    day(pd) if pd else None,
                    day(gd) if gd else None,
                    v["legal_status"],
                    v["source"],
                    v["is_demo"],
                    v["is_synthetic"],
                    t.content_hash,
                    *tail,
                )
            )
        with connection.cursor() as cur:
            cur.executemany(prep["patent_sql"], params)
        # The new ids, by key (a new record has its 申请号 or, failing that, its publication number).
        apps = [t.app_no for t in targets if t.app_no]
        pubs = [t.pub_no for t in targets if not t.app_no and t.pub_no]
        ids_app = {r[1]: r[0] for r in _select_keys("app_no", apps)}
        ids_pub = {r[2]: r[0] for r in _select_keys("pub_no", pubs)}
        for t in targets:
            t.id = ids_app[t.app_no] if t.app_no else ids_pub[t.pub_no]  # type: ignore[index]

    def _update_patents(self, targets: list[_Target], now: dt.datetime) -> None:
        stored = [t for t in targets if t.id is not None and t.changes]
        if not stored:
            return
        objs = Patent.objects.in_bulk([t.id for t in stored])
        fields: set[str] = {"content_hash", "updated_at"}
        for t in stored:
            obj = objs[t.id]  # type: ignore[index]
            for name, value in t.changes.items():
                setattr(obj, name, value)
                fields.add(name)
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
        ids = [i for i in {t.id for _, t, _ in row_targets} if i is not None]
        existing = _select_inventory(org_id, ids)
        wanted = [existing[t.id]["id"] for p, t, _ in row_targets if p.inventory and t.id in existing]
        if wanted:  # rare: compare the 建档 fields only where the file carries some
            for r in InventoryRecord.objects.filter(pk__in=wanted).values(
                "id", "patent_id", *_INV_VALUE_FIELDS
            ):
                existing[r["patent_id"]].update(r)
        prep = self._prep()
        ops = connection.ops
        stamp = ops.adapt_datetimefield_value(now)
        rest = prep["inventory_rest"]
        modes_field = prep["modes"]
        phone_field = prep["phone"]
        empty_modes = prep["empty_json"]
        is_demo = bool(job.options.get("is_demo", False))
        filer_id = job.created_by_id
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[int, dict[str, Any]]] = []
        actions: list[str] = []
        pending: dict[int, dict[str, Any]] = {}
        for p, t, _ in row_targets:
            pid = t.id
            assert pid is not None
            current = existing.get(pid) or pending.get(pid)
            if current is None:
                inv = p.inventory
                state = InventoryState.DRAFT if inv else InventoryState.UNFILED
                inserts.append(
                    (
                        org_id,
                        pid,
                        p.college_id,
                        str(state),
                        p.first_inventor,
                        filer_id if inv else None,
                        bool(inv),
                        inv.get("fiscal_funded"),
                        inv.get("implementation_status", ""),
                        inv.get("conversion_intent"),
                        modes_field.get_db_prep_save(inv["conversion_modes"], connection)
                        if "conversion_modes" in inv
                        else empty_modes,
                        inv.get("trl"),
                        inv.get("value_self_grade", ""),
                        inv.get("application_scenarios", ""),
                        inv.get("industrialisation_prospects", ""),
                        inv.get("contact_name", ""),
                        phone_field.get_db_prep_save(inv["contact_phone"], connection)
                        if "contact_phone" in inv
                        else "",
                        inv.get("contact_email", ""),
                        is_demo,
                        *rest,
                        stamp,
                        stamp,
                    )
                )
                pending[pid] = {
                    "state": str(state),
                    "college_id": p.college_id,
                    "first_inventor": p.first_inventor,
                    **inv,
                }
                actions.append("insert")
                continue
            changes: dict[str, Any] = {}
            if p.college_id is not None and current.get("college_id") != p.college_id:
                changes["college_id"] = p.college_id
            if current["state"] in _EDITABLE_STATES:
                for name, value in p.inventory.items():
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
        if inserts:
            with connection.cursor() as cur:
                cur.executemany(prep["inventory_sql"], inserts)
        for record_id, changes in updates:
            obj = InventoryRecord.objects.get(pk=record_id)
            for name, value in changes.items():
                setattr(obj, name, value)
            obj.proxy_filing = obj.proxy_filing or bool(set(changes) & set(_INV_VALUE_FIELDS))
            obj.save(update_fields=[*changes, "proxy_filing", "updated_at"])
        return actions


def _select_keys(column: str, keys: list[str]) -> list[tuple[int, str | None, str | None, str]]:
    """(id, app_no, pub_no, content_hash) of the patents whose `column` is one of `keys` (raw SQL: hot path)."""
    if not keys:
        return []
    table = connection.ops.quote_name(Patent._meta.db_table)
    marks = ", ".join(["%s"] * len(keys))
    sql = f"SELECT id, app_no, pub_no, content_hash FROM {table} WHERE {column} IN ({marks})"  # noqa: S608
    with connection.cursor() as cur:
        cur.execute(sql, keys)
        return list(cur.fetchall())


def _select_inventory(org_id: int, patent_ids: list[int]) -> dict[int, dict[str, Any]]:
    """patent id -> {id, state, college_id} of this tenant's 建档 records."""
    if not patent_ids:
        return {}
    table = connection.ops.quote_name(InventoryRecord._meta.db_table)
    marks = ", ".join(["%s"] * len(patent_ids))
    sql = (
        f"SELECT patent_id, id, state, college_id FROM {table} "  # noqa: S608 - identifiers from model meta
        f"WHERE organization_id = %s AND patent_id IN ({marks})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [org_id, *patent_ids])
        return {
            pid: {"id": rid, "state": state, "college_id": cid} for pid, rid, state, cid in cur.fetchall()
        }


_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f]')


def _dump_str_list(values: list[str]) -> str:
    """JSON text of a list of strings; plain strings (nearly all) skip the encoder."""
    if _JSON_SPECIAL.search("".join(values)):
        return json.dumps(values, ensure_ascii=False)
    joined = '","'.join(values)
    return f'["{joined}"]'


def _json_dumper(json_field: Any) -> Any:
    """SQLite stores JSON text (read back by the ORM like its own); other backends get the field's adaptation."""
    if connection.vendor == "sqlite":
        return _dump_str_list
    return lambda value: json_field.get_db_prep_save(value, connection)


def _insert_sql(table: str, cols: list[str]) -> str:
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in cols)
    marks = ", ".join(["%s"] * len(cols))
    return f"INSERT INTO {q(table)} ({names}) VALUES ({marks})"  # noqa: S608 - identifiers from model meta


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
    source = p.values
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
        if target.values is not None:
            target.values[name] = value
        else:
            target.changes[name] = value
    if p.app_no and not target.app_no:
        target.app_no = p.app_no
    if p.pub_no and not target.pub_no:
        target.pub_no = p.pub_no
    target.content_hash = p.content_hash
