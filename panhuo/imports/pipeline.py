"""The read-and-prepare side of an import: file rows -> `PreparedBatch`es, in this process or a second one.

Reading, checking required cells and the handler's DB-free `prepare_batch` (parsing, validation) cost about as
much CPU as writing. For a large file of a handler that allows it (`parallel_prepare`), a forked child process
does that work one or two batches ahead of the writer, so the two halves use both cores. The child never
touches the database (it inherits the parent's connection and must leave it alone; it ends with `os._exit`
through multiprocessing, so nothing is closed on the parent's behalf) and talks to the parent only through a
bounded queue: memory stays bounded and the writer commits batches in file order with its checkpoints exactly
as it does without the child. Errors in the child come back as values and are raised in the parent.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import gt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection

from panhuo.common.errors import ApplicationError
from panhuo.imports import readers
from panhuo.imports.registry import ImportHandler, Row, RowReject

if TYPE_CHECKING:
    from panhuo.imports.models import ImportJob

QUEUE_BATCHES = 3  # batches the child may run ahead of the writer (bounded memory)
POLL_SECONDS = 2.0


@dataclass
class PreparedBatch:
    """One batch of file records, checked and prepared, ready for the handler's `process_batch`."""

    first_line: int
    last_line: int
    consumed: int  # file records read, blank ones included (the checkpoint advances by this)
    rows: int  # non-blank records (the job's `total` grows by this)
    kept_lines: list[int]  # lines handed to the handler (passed the required / length checks)
    pre_rejects: list[RowReject] = field(default_factory=list)
    payload: Any = None  # handler.prepare_batch(...) of the kept rows


@dataclass(frozen=True)
class _ChildFailure:
    code: str
    message_zh: str
    message_en: str
    field: str | None
    internal: bool = False


_END = "end"


def required_rejects(handler: ImportHandler, batch: list[Row]) -> tuple[list[Row], list[RowReject]]:
    """Rows missing a required value or with a too-long value are rejected here, before the handler."""
    rejects: list[RowReject] = []
    kept: list[Row] = []
    required = [c for c in handler.columns if c.required]
    required_names = [c.name for c in required]
    limits = {c.name: c.max_length for c in handler.columns}
    titles = {c.name: c.title_zh for c in handler.columns}
    limit_of = limits.__getitem__
    for line, row in batch:
        # Fast path (C-level, no per-cell Python loop): every required cell filled, no cell over its limit.
        if all(map(row.get, required_names)) and not any(map(gt, map(len, row.values()), map(limit_of, row))):
            kept.append((line, row))
            continue
        bad = False
        for col in required:
            if not row.get(col.name):
                rejects.append(
                    RowReject(
                        line,
                        col.name,
                        "",
                        "required",
                        f"必填列“{col.title_zh}”为空",
                        f"required column {col.name} is empty",
                    )
                )
                bad = True
        for name in [n for n, v in row.items() if len(v) > limits[n]]:
            title, limit, value = titles[name], limits[name], row[name]
            rejects.append(
                RowReject(
                    line,
                    name,
                    value[:50],
                    "too_long",
                    f"“{title}”超过 {limit} 个字符",
                    f"{name} is longer than {limit} characters",
                )
            )
            bad = True
        if not bad:
            kept.append((line, row))
    return kept, rejects


def batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


def prepare(handler: ImportHandler, job: ImportJob, batch: list[Row]) -> PreparedBatch:
    data = [(line, row) for line, row in batch if row]
    kept, rejects = required_rejects(handler, data)
    return PreparedBatch(
        first_line=batch[0][0],
        last_line=batch[-1][0],
        consumed=len(batch),
        rows=len(data),
        kept_lines=[line for line, _ in kept],
        pre_rejects=rejects,
        payload=handler.prepare_batch(job, kept) if kept else None,
    )


def _prepared(
    handler: ImportHandler, job: ImportJob, rows: Iterator[Row], size: int
) -> Iterator[PreparedBatch]:
    for batch in batches(rows, size):
        yield prepare(handler, job, batch)


def _child(
    handler: ImportHandler, job: ImportJob, path: Path, info: readers.FileInfo, skip: int, size: int, out: Any
) -> None:
    """Runs in the forked child: read past `skip` records, prepare every batch, hand them over in order."""
    parent = os.getppid()

    def put(item: object) -> None:
        while True:
            try:
                out.put(item, timeout=POLL_SECONDS)
                return
            except queue_module.Full:
                if os.getppid() != parent:  # the writer died (a killed worker): nobody will read; stop
                    os._exit(0)

    try:
        rows = readers.iter_rows(path, info, handler.columns)
        for _ in islice(rows, skip):
            pass
        for prepared in _prepared(handler, job, rows, size):
            put(prepared)
        put(_END)
    except ApplicationError as exc:
        put(_ChildFailure(exc.code, exc.message_zh, exc.message_en, exc.field))
    except FileNotFoundError:
        put(_ChildFailure("import_file_gone", "导入文件已不存在", "the stored import file is gone", "file"))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails loudly
        put(_ChildFailure("import_internal", "导入进程出错", f"{type(exc).__name__}: {exc}", None, True))
    finally:
        out.close()
        out.join_thread()


def _use_child(handler: ImportHandler, job: ImportJob) -> bool:
    if not handler.parallel_prepare or not hasattr(os, "fork") or os.cpu_count() in (None, 1):
        return False
    if connection.in_atomic_block:  # inside a caller's transaction (tests, nested use): stay in-process
        return False
    threshold = int(getattr(settings, "PANHUO_IMPORT_PARALLEL_MIN_ROWS", 20_000))
    return max(0, (job.rows_estimate or 0) - job.rows_done) >= threshold


def _from_child(proc: Any, inbox: Any) -> Iterator[PreparedBatch]:
    while True:
        try:
            item = inbox.get(timeout=POLL_SECONDS)
        except queue_module.Empty:
            if not proc.is_alive():
                raise RuntimeError(f"import prepare process died (exit code {proc.exitcode})") from None
            continue
        if item == _END:
            return
        if isinstance(item, _ChildFailure):
            if item.internal:
                raise RuntimeError(f"import prepare process failed: {item.message_en}")
            raise ApplicationError(item.code, item.message_zh, item.message_en, item.field)
        yield item


@contextmanager
def prepared_batches(
    handler: ImportHandler,
    job: ImportJob,
    path: Path,
    info: readers.FileInfo,
    rows: Iterator[Row],
    size: int | None = None,
) -> Iterator[Iterator[PreparedBatch]]:
    """The file's batches after the job's checkpoint, prepared; `rows` is the parent's iterator positioned there.

    `size`: rows per batch (= per transaction), at most the handler's `batch_size`.

    Large jobs of handlers with `parallel_prepare` get them from a forked child process (which re-reads the
    file up to the checkpoint itself); everything else prepares them in this process, in the same order.
    """
    size = min(size or handler.batch_size, handler.batch_size)
    if not _use_child(handler, job):
        yield _prepared(handler, job, rows, size)
        return
    ctx = multiprocessing.get_context("fork")
    inbox = ctx.Queue(maxsize=QUEUE_BATCHES)
    proc = ctx.Process(
        target=_child,
        args=(handler, job, path, info, job.rows_done, size, inbox),
        name=f"import-{job.pk}-prepare",
    )
    proc.daemon = True
    proc.start()
    try:
        yield _from_child(proc, inbox)
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=10)
        inbox.close()
        inbox.cancel_join_thread()
