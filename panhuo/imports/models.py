"""Bulk import jobs (patents, deals, enterprises): checkpointed, resumable, every rejected row kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ImportJob(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="import_jobs")
    kind = models.CharField(
        max_length=24, db_index=True
    )  # patents | deals | enterprises (registered handlers)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    template_version = models.CharField(max_length=16, default="1")
    file_format = models.CharField(max_length=8)  # csv | xlsx
    encoding = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # checkpoint: data rows committed
    rows_estimate = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_zh = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def progress(self) -> float:
        if self.status == ImportStatus.DONE:
            return 1.0
        if not self.rows_estimate:
            return 0.0
        return min(1.0, self.rows_done / self.rows_estimate)


class ImportReject(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejects")
    line = models.PositiveIntegerField()  # file line, header = 1
    column = models.CharField(max_length=64, blank=True)
    value = models.CharField(max_length=200, blank=True)  # truncated, personal data masked
    code = models.CharField(max_length=40)
    message_zh = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["line", "id"]
        constraints = [models.UniqueConstraint(fields=["job", "line", "column", "code"], name="reject_once")]
