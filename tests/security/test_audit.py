"""AU-1..4: events with all fields, append-only, hash chain, fail closed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from conftest import STRONG_PASSWORD
from panhuo.accounts import services as account_services
from panhuo.accounts.models import Organization, OrganizationType
from panhuo.common.audit import audit_record, audit_verify
from panhuo.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_event_has_every_field(inventor):
    client = Client()
    client.post(
        "/accounts/login/",
        {"username": inventor.username, "password": STRONG_PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.filter(action="auth.login", result="ok").get()
    assert event.actor_id == inventor.pk
    assert event.tenant_id == inventor.organization_id
    assert event.ip == "10.1.2.3"
    assert len(event.request_id) == 32
    assert event.at.tzinfo is not None
    assert event.row_hash and event.prev_hash


def test_secrets_never_logged_and_control_characters_encoded(inventor):
    client = Client()
    client.post("/accounts/login/", {"username": "evil\r\nFAKE LINE", "password": "P4ssw0rd-SECRET!"})
    event = AuditEvent.objects.filter(action="auth.login", result="fail").get()
    assert "\r" not in event.detail["username"] and "\n" not in event.detail["username"]
    assert "P4ssw0rd-SECRET!" not in str(AuditEvent.objects.values_list("detail", flat=True))
    recorded = audit_record("probe", detail={"password": "hunter2", "otp": "123456", "note": "ok"})
    assert recorded.detail == {"password": "[removed]", "otp": "[removed]", "note": "ok"}


def test_orm_and_sql_cannot_change_audit_rows():
    event = audit_record("probe")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.save()
    for sql in ("UPDATE common_auditevent SET action='x'", "DELETE FROM common_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "probe"


def _drop_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_no_update_delete ON common_auditevent")


def test_tampering_is_found_at_the_first_changed_row():
    events = [audit_record("probe", detail={"n": i}) for i in range(5)]
    assert audit_verify().ok
    _drop_triggers()  # an attacker with database access
    with connection.cursor() as cursor:
        cursor.execute("UPDATE common_auditevent SET result='fail' WHERE id=%s", [events[2].pk])
    report = audit_verify()
    assert not report.ok and report.first_bad_id == events[2].pk
    with pytest.raises(CommandError, match=str(events[2].pk)):
        call_command("audit_verify")


def test_audit_failure_rolls_back_the_business_write(monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("audit store unavailable")

    monkeypatch.setattr(account_services, "audit_record", broken)
    with pytest.raises(DatabaseError):
        account_services.organization_create(code="X-1", name="某大学", type=OrganizationType.UNIVERSITY)
    assert not Organization.objects.filter(code="X-1").exists()


def test_retention_keeps_179_day_rows_and_archives_181_day_rows(tmp_path):
    import datetime as dt

    import time_machine

    from panhuo.common.models import AuditArchive
    from panhuo.common.retention import RetentionError, audit_archive

    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    with time_machine.travel(now - dt.timedelta(days=181), tick=False):
        old = [audit_record("old", detail={"n": i}) for i in range(3)]
    with time_machine.travel(now - dt.timedelta(days=179), tick=False):
        kept = audit_record("recent")
    with pytest.raises(RetentionError):
        audit_archive(retention_days=179, now=now, out_dir=tmp_path)
    archive = audit_archive(retention_days=180, now=now, out_dir=tmp_path)
    assert archive.rows == 3 and archive.archived_through_id == old[-1].pk
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert AuditArchive.objects.count() == 1
    assert [line for line in open(archive.file, encoding="utf-8")][0].startswith(f'{{"id": {old[0].pk}')
    assert audit_verify().ok  # the chain continues from the archive anchor
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM common_auditevent")  # the trigger is back
