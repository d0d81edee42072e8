"""`panhuo import FILE --institution CODE [--json] [--background]`: bulk-import patents (批量建档)."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from panhuo.accounts.models import Organization
from panhuo.common.errors import ApplicationError
from panhuo.imports.models import ImportJob
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
        if job.status == "failed":
            self._fail(o, job.error_code, job.error_zh, job.error_en, job=job)
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

    def _fail(self, o: dict[str, Any], code: str, zh: str, en: str, job: ImportJob | None = None) -> NoReturn:
        if o["json"]:
            payload: dict[str, Any] = {"error": code, "message_zh": zh, "message_en": en}
            if job is not None:
                payload = {**_counts(job), **payload}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            sys.exit(1)
        raise CommandError(f"{zh} / {en}")
