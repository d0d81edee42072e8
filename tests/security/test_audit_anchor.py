"""AU-2 (issue 15 row 4): the chain head is anchored outside the audited table, so deleting or rolling back the
newest rows is found by `panhuo audit_verify` (and by `panhuo serve` at start-up, tests/security/test_serve.py)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from panhuo.common.audit import audit_record, audit_verify
from panhuo.common.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor_file(tmp_path, settings):
    path = tmp_path / "anchor" / "audit-anchor.log"
    settings.PANHUO_AUDIT_ANCHOR_FILE = str(path)
    return path


def _drop_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_no_update_delete ON common_auditevent")


def test_deleting_the_newest_rows_is_found(anchor_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events = [audit_record("probe", detail={"n": i}) for i in range(5)]
    lines = [json.loads(line) for line in anchor_file.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [e.pk for e in events]
    assert lines[-1]["hash"] == events[-1].row_hash and len(lines[-1]["sig"]) == 64
    assert audit_verify().ok
    _drop_triggers()  # a database administrator
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM common_auditevent WHERE id >= %s", [events[3].pk])
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [e.pk for e in events[:3]]
    report = audit_verify()
    assert not report.ok and "newest rows missing" in report.reason and str(events[4].pk) in report.reason
    with pytest.raises(CommandError, match="newest rows missing"):
        call_command("audit_verify")


def test_a_rewritten_newest_row_or_a_forged_anchor_line_is_found(
    anchor_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        events = [audit_record("probe", detail={"n": i}) for i in range(3)]
    good = anchor_file.read_text(encoding="utf-8")
    forged = json.loads(good.splitlines()[-1])
    forged["id"] = events[1].pk
    forged["hash"] = events[1].row_hash  # "roll back" the anchor by one row, without the key
    anchor_file.write_text(good + json.dumps(forged) + "\n", encoding="utf-8")
    report = audit_verify()
    assert not report.ok and "wrong signature" in report.reason
    anchor_file.write_text(good, encoding="utf-8")
    assert audit_verify().ok


def test_a_deliberate_restore_is_re_anchored_and_audited(anchor_file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        events = [audit_record("probe", detail={"n": i}) for i in range(4)]
    _drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM common_auditevent WHERE id = %s", [events[3].pk]
        )  # an older copy restored
    assert not audit_verify().ok
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit_verify", "--reanchor")
    assert audit_verify().ok
    lines = [json.loads(line) for line in anchor_file.read_text(encoding="utf-8").splitlines()]
    reanchored = AuditEvent.objects.get(action="audit.reanchor")
    assert [line["id"] for line in lines if line.get("reset")] == [reanchored.pk]
    assert AuditEvent.objects.filter(action="audit.reanchor").count() == 1
