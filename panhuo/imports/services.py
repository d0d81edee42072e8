"""Import jobs: create (store + check the file), run (batches, checkpoints, heartbeat), resume stale ones."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from panhuo.accounts.models import Organization, User
from panhuo.common.audit import audit_record
from panhuo.common.background import yield_write_lock
from panhuo.common.errors import ApplicationError
from panhuo.imports import readers
from panhuo.imports.models import ImportJob, ImportReject, ImportStatus
from panhuo.imports.pipeline import PreparedBatch, batches, prepared_batches
from panhuo.imports.registry import BatchResult, ImportHandler, get_handler

ProgressCallback = Callable[[ImportJob], None]


def stale_after() -> timedelta:
    """A running job whose heartbeat is older than this is taken to be dead and is resumed."""
    return timedelta(seconds=int(settings.PANHUO_IMPORT_STALE_SECONDS))


def _size_limit(file_format_hint: str) -> int:
    if file_format_hint == ".xlsx":
        return int(settings.PANHUO_MAX_XLSX_BYTES)
    return int(settings.PANHUO_MAX_CSV_BYTES)


def _too_large(limit: int) -> ApplicationError:
    mib = limit // (1024 * 1024)
    return ApplicationError(
        "import_too_large",
        f"文件超过大小上限（{mib} MiB）",
        f"the file exceeds the size limit ({mib} MiB)",
        "file",
        extra={"status": 413},
    )


def _store(source: BinaryIO, original_name: str) -> tuple[Path, str]:
    """Copy the upload into UPLOAD_DIR while hashing it; refuse it past the size limit (nothing kept)."""
    upload_dir = Path(settings.UPLOAD_DIR) / "imports"
    upload_dir.mkdir(parents=True, exist_ok=True)
    limit = _size_limit(Path(original_name.lower()).suffix)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=upload_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        suffix = Path(original_name).suffix.lower()[:8]
        final = upload_dir / f"{sha}{suffix}"
        if final.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, final)
        return final, sha
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def import_job_create(
    *,
    organization: Organization,
    kind: str,
    uploaded_file: Any = None,
    path: str | Path | None = None,
    original_name: str | None = None,
    actor: User | None = None,
    options: dict[str, Any] | None = None,
) -> ImportJob:
    """Store and check the file; return the job (an unfinished job with the same key is returned as is).

    Key = SHA-256 of the file + tenant + kind + template version. A finished job with the same key does not stop
    a new one: it runs again and reports everything unchanged. Bad files raise ApplicationError, DB unchanged.
    """
    handler = get_handler(kind)
    if uploaded_file is not None:
        name = original_name or getattr(uploaded_file, "name", "") or "upload"
        size = getattr(uploaded_file, "size", None)
        limit = _size_limit(Path(name.lower()).suffix)
        if size is not None and size > limit:
            raise _too_large(limit)
        if hasattr(uploaded_file, "seek"):
            uploaded_file.seek(0)
        stored, sha = _store(uploaded_file, name)
    elif path is not None:
        src = Path(path)
        name = original_name or src.name
        if not src.is_file():
            raise ApplicationError("import_no_file", f"找不到文件：{src}", f"no such file: {src}", "file")
        with src.open("rb") as fh:
            stored, sha = _store(fh, name)
    else:
        raise ApplicationError("import_no_file", "请选择要导入的文件", "choose a file to import", "file")
    name = Path(name).name[:255]
    try:
        info = readers.sniff(stored, name)
        readers.read_header(stored, info, handler.columns)
    except ApplicationError:
        if not ImportJob.objects.filter(stored_path=str(stored)).exists():
            stored.unlink(missing_ok=True)  # a refused file is not kept
        raise
    with transaction.atomic():
        existing = (
            ImportJob.objects.select_for_update()
            .filter(
                organization=organization,
                kind=kind,
                sha256=sha,
                template_version=handler.template_version,
                status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING],
            )
            .order_by("id")
            .first()
        )
        if existing is not None:
            return existing
        job = ImportJob.objects.create(
            organization=organization,
            kind=kind,
            created_by=actor if getattr(actor, "pk", None) else None,
            original_name=name,
            stored_path=str(stored),
            sha256=sha,
            template_version=handler.template_version,
            file_format=info.file_format,
            encoding=info.encoding,
            rows_estimate=readers.count_lines(stored, info),
            options=options or {},
        )
        audit_record(
            "import.create",
            actor=actor,
            tenant_id=organization.pk,
            obj=job,
            detail={"kind": kind, "file": name, "sha256": sha},
        )
    return job


def _claim(job_id: int) -> ImportJob | None:
    """Take the job if it is queued, or running with a stale heartbeat (a dead worker). None: not ours."""
    now = timezone.now()
    stale = now - stale_after()
    claimable = Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING, heartbeat_at__lt=stale)
    claimable |= Q(status=ImportStatus.RUNNING, heartbeat_at__isnull=True)
    with transaction.atomic():
        n = ImportJob.objects.filter(claimable, pk=job_id).update(
            status=ImportStatus.RUNNING, heartbeat_at=now
        )
        if not n:
            return None
        ImportJob.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=now)
    return ImportJob.objects.get(pk=job_id)


def _check_result(kind: str, kept_lines: list[int], result: BatchResult) -> None:
    lines = set(kept_lines)
    stray = {r.line for r in result.rejects} - lines
    counted = result.inserted + result.updated + result.unchanged + result.rejected
    if stray or counted != len(kept_lines):
        raise RuntimeError(
            f"import handler {kind!r} miscounted a batch: {counted} outcomes for {len(kept_lines)} rows"
            + (f", rejects for lines outside the batch {sorted(stray)[:5]}" if stray else "")
        )


def _mask(value: str) -> str:
    value = value.replace("\x00", "")
    return value[:200]


def _commit_batch(job: ImportJob, handler: ImportHandler, batch: PreparedBatch, done_before: int) -> bool:
    """One transaction: the handler's upserts, the rejects, the counters and the checkpoint. False: lost the job."""
    with transaction.atomic():
        result = handler.process_batch(job, batch.payload) if batch.kept_lines else BatchResult()
        _check_result(handler.kind, batch.kept_lines, result)
        rejects = batch.pre_rejects + result.rejects
        if rejects:
            ImportReject.objects.bulk_create(
                [
                    ImportReject(
                        job_id=job.pk,
                        line=r.line,
                        column=r.column[:64],
                        value=_mask(r.value),
                        code=r.code[:40],
                        message_zh=r.message_zh[:300],
                        message_en=r.message_en[:300],
                    )
                    for r in rejects
                ],
                ignore_conflicts=True,
            )
        rejected = len({r.line for r in rejects})
        n = ImportJob.objects.filter(pk=job.pk, rows_done=done_before, status=ImportStatus.RUNNING).update(
            rows_done=done_before + batch.consumed,
            total=F("total") + batch.rows,
            inserted=F("inserted") + result.inserted,
            updated=F("updated") + result.updated,
            unchanged=F("unchanged") + result.unchanged,
            rejected=F("rejected") + rejected,
            heartbeat_at=timezone.now(),
        )
        if n != 1:
            transaction.set_rollback(True)
            return False
        audit_record(
            "import.batch",
            tenant_id=job.organization_id,
            obj=job,
            detail={
                "lines": [batch.first_line, batch.last_line],
                "inserted": result.inserted,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "rejected": rejected,
            },
        )
    return True


def _fail(job: ImportJob, exc: ApplicationError) -> None:
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED,
            error_code=exc.code[:40],
            error_zh=exc.message_zh,
            error_en=exc.message_en,
            finished_at=timezone.now(),
        )
        audit_record(
            "import.fail",
            tenant_id=job.organization_id,
            obj=job,
            result="fail",
            detail={"code": exc.code, "rows_done": job.rows_done},
        )


@contextmanager
def _durability_relaxed() -> Iterator[None]:
    """SQLite: batch commits skip the WAL fsync (SECURITY F-4: import staging may, because data and checkpoint
    commit together, so a power loss only sends the job back to an earlier checkpoint). The job's final commit
    runs with FULL again, which makes every earlier batch durable too."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA synchronous")
        before = int(cur.fetchone()[0])
        cur.execute("PRAGMA wal_autocheckpoint")
        pages = int(cur.fetchone()[0])
        cur.execute("PRAGMA synchronous = NORMAL")
        # A batch writes more than the default 1,000 WAL pages: checkpoint every ~40 MiB instead of every commit.
        cur.execute("PRAGMA wal_autocheckpoint = 10000")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA synchronous = {before:d}")
            cur.execute(f"PRAGMA wal_autocheckpoint = {pages:d}")


def import_job_run(
    job: ImportJob | int,
    *,
    progress: ProgressCallback | None = None,
    batch_rows: int | None = None,
    background: bool = False,
) -> ImportJob:
    """Run (or resume from its checkpoint) one job to the end; used by the Huey task and the CLI.

    `batch_rows` caps the rows per transaction below the handler's batch size: the background worker uses
    PANHUO_IMPORT_BACKGROUND_BATCH_ROWS so that, while people use the site, each commit holds SQLite's single
    write lock only briefly; a foreground `panhuo import` uses the handler's (larger, faster) batches.
    `background`: pause between transactions so page requests get SQLite's write lock (common.background).

    Returns the job as stored afterwards. A job another live worker holds is left alone.
    """
    job_id = job if isinstance(job, int) else job.pk
    claimed = _claim(job_id)
    if claimed is None:
        return ImportJob.objects.get(pk=job_id)
    job = claimed
    handler = get_handler(job.kind)
    path = Path(job.stored_path)
    info = readers.FileInfo(job.file_format, job.encoding)
    try:
        rows = readers.iter_rows(path, info, handler.columns)
        # Resume: skip what the checkpoint says is committed (parsing again is cheap, writing is not); the
        # handler sees the committed, accepted rows again through `replay` to rebuild per-run state.
        if job.rows_done:
            rejected_lines = set(ImportReject.objects.filter(job_id=job.pk).values_list("line", flat=True))
            for skipped in batches(islice(rows, job.rows_done), handler.batch_size):
                handler.replay(job, [(ln, r) for ln, r in skipped if r and ln not in rejected_lines])
        handler.open(job)
        done = job.rows_done
        with _durability_relaxed(), prepared_batches(handler, job, path, info, rows, batch_rows) as prepared:
            for batch in prepared:
                if not _commit_batch(job, handler, batch, done):
                    return ImportJob.objects.get(pk=job_id)
                if background:
                    yield_write_lock()
                done += batch.consumed
                job.rows_done = done
                if progress is not None:
                    progress(job)
    except ApplicationError as exc:
        job.refresh_from_db()
        _fail(job, exc)
        job.refresh_from_db()
        return job
    except FileNotFoundError:
        job.refresh_from_db()
        _fail(job, ApplicationError("import_file_gone", "导入文件已不存在", "the stored import file is gone"))
        job.refresh_from_db()
        return job
    with transaction.atomic():
        n = ImportJob.objects.filter(pk=job_id, rows_done=done, status=ImportStatus.RUNNING).update(
            status=ImportStatus.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now()
        )
        job.refresh_from_db()
        if n:
            audit_record(
                "import.done",
                tenant_id=job.organization_id,
                actor=job.created_by,
                obj=job,
                detail={
                    "total": job.total,
                    "inserted": job.inserted,
                    "updated": job.updated,
                    "unchanged": job.unchanged,
                    "rejected": job.rejected,
                },
            )
    if n:
        handler.job_finished(job)
    if progress is not None:
        progress(job)
    return job


def import_jobs_stale() -> list[int]:
    """Ids of jobs a worker should (re)start: running with a dead heartbeat, or queued and never started."""
    stale = timezone.now() - stale_after()
    return list(
        ImportJob.objects.filter(
            Q(status=ImportStatus.RUNNING, heartbeat_at__lt=stale)
            | Q(status=ImportStatus.QUEUED, created_at__lt=stale)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
