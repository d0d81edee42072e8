"""`panhuo import FILE --institution CODE [--json] [--background]`: bulk-import patents (批量建档).

Exit status: 0 the job ran to its end; 1 refused or failed (the JSON / message says why, a disk-full included);
3 another process is running this same job now (nothing was done: try again after it ends or goes stale).
"""

from __future__ import annotations

import errno
import json
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from panhuo.accounts.models import Organization
from panhuo.common.errors import ApplicationError
from panhuo.imports.models import ImportJob, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run


def _counts(job: ImportJob) -> dict[str, Any]:
    return {
        "job": job.pk,
        "total": job.total,
        "inserted": job.inserted,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
    }


class Command(BaseCommand):
    help = "Import a CSV/XLSX of patents for an institution (checkpointed, resumable). 批量导入专利。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--institution", required=True, help="organization code, e.g. DEMO-UNI-1")
        parser.add_argument("--kind", default="patents", help="import kind (registered handler)")
        parser.add_argument("--json", action="store_true", help="print one JSON object with the counts")
        parser.add_argument(
            "--background", action="store_true", help="enqueue for the Huey worker and return"
        )
        parser.add_argument(
            "--source", default="", help="label stored in Patent.source when the file has none"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        org = Organization.objects.filter(code=o["institution"]).first()
        if org is None:
            self._fail(o, "org_unknown", f"没有代码为 {o['institution']} 的机构", "no such organization")
        options = {"source": o["source"]} if o["source"] else {}
        try:
            self._import(org, options, o)
        except (OSError, OperationalError) as exc:
            if not _out_of_space(exc):
                raise
            self._fail(
                o,
                "disk_full",
                "磁盘空间不足，导入已中止；腾出空间后重新运行同一命令即从检查点继续",
                "out of disk space: the import stopped; free space and run the same command to resume",
            )

    def _import(self, org: Organization, options: dict[str, Any], o: dict[str, Any]) -> None:
        try:
            job = import_job_create(organization=org, kind=o["kind"], path=o["file"], options=options)
        except ApplicationError as exc:
            self._fail(o, exc.code, exc.message_zh, exc.message_en)
        if o["background"]:
            from panhuo.imports.tasks import import_job_task

            import_job_task(job.pk)
            job.refresh_from_db()
            if o["json"]:
                self.stdout.write(json.dumps({**_counts(job), "status": job.status}))
            else:
                self.stdout.write(f"已加入后台队列 queued: job {job.pk}")
            return
        progress = self._progress_bar(job, disabled=o["no_progress"])
        try:
            job = import_job_run(job, progress=progress)
        finally:
            progress.close()  # type: ignore[attr-defined]
        if job.status == ImportStatus.FAILED:
            self._fail(o, job.error_code, job.error_zh, job.error_en, job=job)
        if job.status != ImportStatus.DONE:
            self._fail(
                o,
                "import_busy",
                f"导入任务 {job.pk} 正由另一进程运行，本次未执行；请待其结束（或心跳超时）后再运行",
                f"import job {job.pk} is being run by another process; nothing was done here, retry later",
                job=job,
                status=3,
            )
        if o["json"]:
            self.stdout.write(json.dumps(_counts(job)))
        else:
            c = _counts(job)
            self.stdout.write(
                f"导入完成 job {c['job']}: 共 {c['total']} 行，新增 {c['inserted']}，更新 {c['updated']}，"
                f"未变 {c['unchanged']}，拒绝 {c['rejected']}"
            )

    def _progress_bar(self, job: ImportJob, *, disabled: bool) -> Any:
        from tqdm import tqdm

        bar = tqdm(
            total=job.rows_estimate or None,
            initial=job.rows_done,
            unit="行",
            file=sys.stderr,
            disable=disabled,
            desc=f"导入 job {job.pk}",
            mininterval=0.5,
        )

        def update(current: ImportJob) -> None:
            bar.update(current.rows_done - bar.n)

        update.close = bar.close  # type: ignore[attr-defined]
        return update

    def _fail(
        self,
        o: dict[str, Any],
        code: str,
        zh: str,
        en: str,
        job: ImportJob | None = None,
        status: int = 1,
    ) -> NoReturn:
        if o["json"]:
            payload: dict[str, Any] = {"error": code, "message_zh": zh, "message_en": en}
            if job is not None:
                payload = {**_counts(job), **payload}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            sys.exit(status)
        raise CommandError(f"{zh} / {en}", returncode=status)


def _out_of_space(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
    return "full" in str(exc).lower()  # SQLite: "database or disk is full"
