"""Abstract bases and the append-only audit log."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One security-relevant event (AU-1). Rows are never updated or deleted (database triggers refuse)."""

    at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    tenant_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    ip = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=16, default="ok")
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit events are append-only")


class AuditArchive(models.Model):
    """Rows moved out of the live table after the retention period; the chain continues from `last_hash`."""

    at = models.DateTimeField()
    archived_through_id = models.BigIntegerField()
    rows = models.PositiveIntegerField()
    last_hash = models.CharField(max_length=64)
    file = models.CharField(max_length=500)
    file_sm3 = models.CharField(max_length=64)

    class Meta:
        ordering = ["archived_through_id"]


class IdempotencyRecord(models.Model):
    """One API POST sent with an `Idempotency-Key` (common/idempotency.py): the answer given, replayed to retries.

    `status` is null while the first request is still running. Keys are per user; after
    PANHUO_IDEMPOTENCY_HOURS a key may be used again.
    """

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_key_per_user")]
