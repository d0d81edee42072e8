"""`panhuo import` exit status (issue 15 row 10): a job it did not run is not reported as done; a full disk ends
in the JSON error, not a traceback."""

from __future__ import annotations

import json
import resource
import signal

import pytest
from django.core.management import call_command
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.imports.models import ImportJob, ImportStatus
from panhuo.imports.services import import_job_create
from panhuo.patents.models import Patent

pytestmark = pytest.mark.django_db


def _csv(tmp_path, n: int, filler: int = 0):
    lines = ["申请号,名称"]
    for i in range(n):
        body = f"20191{i:07d}"
        lines.append(f"{body}.{check_character(body)},专利{i}{'x' * filler}")
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_job_another_process_runs_exits_3_and_changes_nothing(tmp_path, university, capsys):
    path = _csv(tmp_path, 12)
    job = import_job_create(organization=university, kind="patents", path=path)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now(), rows_done=5
    )
    with pytest.raises(SystemExit) as exited:
        call_command("import", str(path), "--institution", university.code, "--json", "--no-progress")
    assert exited.value.code == 3
    payload = json.loads(capsys.readouterr().out)
    assert (
        payload["error"] == "import_busy" and payload["job"] == job.pk and "另一进程" in payload["message_zh"]
    )
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.RUNNING
    assert Patent.objects.count() == 0


def test_a_full_disk_ends_in_the_json_error(tmp_path, university, capsys, settings):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    path = _csv(tmp_path, 400, filler=600)  # about 250 KB
    limit = 64 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        with pytest.raises(SystemExit) as exited:
            call_command("import", str(path), "--institution", university.code, "--json", "--no-progress")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
    assert exited.value.code == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["error"] == "disk_full" and "磁盘空间不足" in payload["message_zh"]
    assert ImportJob.objects.count() == 0 and Patent.objects.count() == 0
    assert [p.name for p in (tmp_path / "uploads" / "imports").iterdir()] == []  # the partial copy is gone
