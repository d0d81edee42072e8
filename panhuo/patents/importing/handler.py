"""The patent row handler: validate, upsert patents by 申请号 (else publication number), file inventory rows.

Fast path: per batch, two SELECTs prefetch the known keys, new patents and inventory rows go in with one
`executemany` each (`inserts`); only the rare changed records go through the ORM (`stored`). Everything runs in
the framework's batch transaction, so a crash leaves either the whole batch or none of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django.db import connection
from django.utils import timezone

from engine.identifiers.application_number import NumberError, normalise_publication_number
from panhuo.accounts.models import College
from panhuo.imports.models import ImportJob
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register
from panhuo.patents.importing import columns as C
from panhuo.patents.importing.batch import (
    ParsedBatch,
    SeenKeys,
    Target,
    conflict_reject,
    duplicate_reject,
    merge,
)
from panhuo.patents.importing.extensions import (
    Accepted,
    RowExtension,
    add_extension,
    extensions,
    extra_columns,
)
from panhuo.patents.importing.holding import CO_HOLDER, OTHER, OWN, Holding
from panhuo.patents.importing.inserts import Inserts, NewInventory
from panhuo.patents.importing.parse import Parsed, RowParser, fast_app_no
from panhuo.patents.importing.sql import any_key, select_keys
from panhuo.patents.importing.stored import RowTarget, file_inventory, update_patents


@register
class PatentImportHandler(ImportHandler):
    kind = "patents"
    label_zh = "专利批量建档"
    template_version = C.TEMPLATE_VERSION
    roles = ("institution_admin", "college_admin")
    # Rows per transaction. At a million stored patents each batch dirties ~2,000 random pages of the 申请号
    # index alone: larger batches write far fewer WAL pages per row; 5,000 rows hold the write lock ~0.2 s.
    batch_size = 5000
    columns: ClassVar[Sequence[ColumnSpec]] = C.COLUMNS  # + the columns of registered extensions (`extend`)
    parallel_prepare = True  # prepare_batch only parses: large files parse in a second process

    def __init__(self) -> None:
        self._seen_app = SeenKeys()
        self._seen_pub = SeenKeys()
        self._colleges: dict[str, int] | None = None
        self._inserts = Inserts()
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
        example = dict(C.TEMPLATE_EXAMPLE)
        for extension in extensions():
            example.update(extension.example)
        return example

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
        added = extensions()
        for line, row in rows:
            p = parse(line, row)
            extras, rejects = _parse_extensions(added, line, row) if added else (None, [])
            if isinstance(p, list):
                batch.rejects.extend(p + rejects)
            elif rejects:
                batch.rejects.extend(rejects)
            else:
                batch.add(p, extras)
        return batch

    def process_batch(self, job: ImportJob, rows: ParsedBatch) -> BatchResult:
        result = BatchResult()
        result.rejects.extend(rows.rejects)
        now = timezone.now()
        if self._all_new(rows):
            result.inserted += self._insert_all_new(job, rows, now, result)
            return result
        candidates = rows.rows()
        by_app, by_pub = self._prefetch(candidates)
        holding = self.holding(job)
        holding.load([t.id for t in (*by_app.values(), *by_pub.values()) if t.id is not None])
        parsed = self._drop_duplicates(candidates, by_app, by_pub, result.rejects)
        row_targets, co_rows = self._resolve(parsed, by_app, by_pub, holding, result.rejects)
        self._store_new([t for _, t, action in row_targets if action == "insert"], holding, now)
        self._apply_co_holders(job, holding, co_rows, row_targets)
        update_patents(job, list({id(t): t for _, t, a in row_targets if a == "update"}.values()), now)
        inv_actions = file_inventory(
            row_targets, job=job, new=self._new_inventory(job, now), inserts=self._inserts
        )
        changed, refused = self._apply_extensions(
            job, [(p.line, t.id or 0, p.extras) for p, t, _ in row_targets], result
        )
        for (p, _, action), inv in zip(row_targets, inv_actions, strict=True):
            if p.line in refused:  # counted once, as rejected (an extension refused some of its cells)
                continue
            if action == "insert" or inv == "insert":
                result.inserted += 1
            elif action == "update" or inv == "update" or p.line in changed:
                result.updated += 1
            else:
                result.unchanged += 1
        return result

    def _insert_all_new(
        self, job: ImportJob, rows: ParsedBatch, now: dt.datetime, result: BatchResult
    ) -> int:
        """Fast path (a first import): no key of the batch is stored or seen earlier in the file and no two rows
        share one, so every row is a new patent with a new 建档 record: no merges, no conflicts."""
        ids = self._inserts.patents(rows.params, rows.app_nos, rows.pub_nos, now)
        new = self._new_inventory(job, now)
        self._inserts.inventory(
            [
                new.row(pid, college_id, first_inventor, inventory)
                for pid, college_id, first_inventor, inventory in zip(
                    ids, rows.college_ids, rows.first_inventors, rows.inventories, strict=True
                )
            ]
        )
        self.holding(job).insert_holders(ids)
        refused: set[int] = set()
        if any(rows.extras):
            _, refused = self._apply_extensions(
                job, list(zip(rows.lines, ids, rows.extras, strict=True)), result
            )
        self._seen_app.update([a for a in rows.app_nos if a])
        self._seen_pub.update([b for b in rows.pub_nos if b])
        return len(ids) - len(refused)

    def _all_new(self, rows: ParsedBatch) -> bool:
        apps = [a for a in rows.app_nos if a]
        pubs = [b for b in rows.pub_nos if b]
        if len(set(apps)) != len(apps) or len(set(pubs)) != len(pubs):
            return False
        # Keys met earlier in this file are stored, so "none stored" also means "none met before".
        return not (any_key("app_no", apps) or any_key("pub_no", pubs))

    def _prefetch(self, parsed: list[Parsed]) -> tuple[dict[str, Target], dict[str, Target]]:
        apps = [p.app_no for p in parsed if p.app_no]
        pubs = [p.pub_no for p in parsed if p.pub_no]
        by_id: dict[int, Target] = {}
        by_app: dict[str, Target] = {}
        by_pub: dict[str, Target] = {}
        for pid, app, pub, h in select_keys("app_no", apps) + select_keys("pub_no", pubs):
            t = by_id.get(pid)
            if t is None:
                t = by_id[pid] = Target(pid, app, pub, h)
            if app:
                by_app[app] = t
            if pub:
                by_pub[pub] = t
        return by_app, by_pub

    def _drop_duplicates(
        self,
        candidates: list[Parsed],
        by_app: dict[str, Target],
        by_pub: dict[str, Target],
        rejects: list[RowReject],
    ) -> list[Parsed]:
        """The rows whose key was not met earlier in this file; the others are rejected as duplicates."""
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
                rejects.append(duplicate_reject(p))
            else:
                parsed.append(p)
        return parsed

    def _resolve(
        self,
        parsed: list[Parsed],
        by_app: dict[str, Target],
        by_pub: dict[str, Target],
        holding: Holding,
        rejects: list[RowReject],
    ) -> tuple[list[RowTarget], list[tuple[Parsed, int]]]:
        """Each row's patent (stored, new, or one an earlier row of the batch created) and what to do with it;
        the rows of patents this institution co-holds go to `holding`."""
        row_targets: list[RowTarget] = []
        co_rows: list[tuple[Parsed, int]] = []
        for p in parsed:
            t_app = by_app.get(p.app_no) if p.app_no else None
            t_pub = by_pub.get(p.pub_no) if p.pub_no else None
            target = t_app or t_pub
            if (t_app is not None and t_pub is not None and t_app is not t_pub) or (
                target is not None and p.app_no and target.app_no and target.app_no != p.app_no
            ):
                rejects.append(conflict_reject(p))
                continue
            standing = OWN
            if target is not None and target.id is not None:
                standing = holding.standing(target.id)
                if standing == OTHER:
                    rejects.append(holding.refusal(p, target.id))
                    continue
                holding.accept(target.id)
            if target is None:
                target = Target(None, p.app_no, p.pub_no, p.content_hash, params=p.params)
                action = "insert"
            elif standing == CO_HOLDER:
                co_rows.append((p, target.id))  # type: ignore[arg-type]
                action = "co_holder"
            elif target.content_hash == p.content_hash:
                action = "unchanged"
            else:
                merge(target, p)
                action = "update"
            if p.app_no:
                by_app[p.app_no] = target
                self._seen_app.add(p.app_no)
            if p.pub_no:
                by_pub[p.pub_no] = target
                self._seen_pub.add(p.pub_no)
            row_targets.append((p, target, action))
        return row_targets, co_rows

    def _store_new(self, new_targets: list[Target], holding: Holding, now: dt.datetime) -> None:
        """Insert the batch's new patents (a row that met an earlier new row merged into it) and give them ids."""
        ids = self._inserts.patents(
            [t.params for t in new_targets],  # type: ignore[misc]
            [t.app_no for t in new_targets],
            [t.pub_no for t in new_targets],
            now,
        )
        for t, pid in zip(new_targets, ids, strict=True):
            t.id = pid
        holding.insert_holders(ids)

    def _apply_co_holders(
        self,
        job: ImportJob,
        holding: Holding,
        co_rows: list[tuple[Parsed, int]],
        row_targets: list[RowTarget],
    ) -> None:
        """A co-held patent takes the row's changes the co-holder rules allow: the row becomes update/unchanged."""
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

    def _apply_extensions(
        self, job: ImportJob, rows: list[tuple[int, int, Any]], result: BatchResult
    ) -> tuple[set[int], set[int]]:
        """Hand each extension its accepted values (rows that filled some of its cells); the lines they changed and
        the lines they refused (their rejects go to `result`)."""
        changed: set[int] = set()
        refused: set[int] = set()
        for index, extension in enumerate(extensions()):
            accepted: list[Accepted] = [
                (line, pid, extras[index])
                for line, pid, extras in rows
                if extras and extras[index] is not None
            ]
            if accepted:
                applied = extension.apply(job, accepted)
                changed |= applied.changed_lines
                refused |= {r.line for r in applied.rejects}
                result.rejects.extend(applied.rejects)
        return changed, refused

    def _new_inventory(self, job: ImportJob, now: dt.datetime) -> NewInventory:
        return self._inserts.new_inventory(
            org_id=job.organization_id,
            filer_id=job.created_by_id,
            is_demo=bool(job.options.get("is_demo", False)),
            now=now,
        )


def _parse_extensions(
    added: tuple[RowExtension, ...], line: int, row: dict[str, str]
) -> tuple[tuple[Any, ...] | None, list[RowReject]]:
    """Each extension's values for the row (None where it left all their cells empty), and the bad cells."""
    values: list[Any] = []
    rejects: list[RowReject] = []
    for extension in added:
        value, problems = extension.parse(row)
        values.append(value)
        rejects += [
            RowReject(line, column, row.get(column, "")[:200], code, zh, en)
            for column, code, zh, en in problems
        ]
    return (tuple(values) if any(v is not None for v in values) else None), rejects


def extend(extension: RowExtension) -> None:
    """Add a higher app's columns to 批量建档 (called from its AppConfig.ready)."""
    add_extension(extension)
    names = [c.name for c in (*C.COLUMNS, *extra_columns())]
    if len(set(names)) != len(names):
        raise ValueError(f"column names of extension {extension.name} clash with 批量建档's")
    PatentImportHandler.columns = (*C.COLUMNS, *extra_columns())
