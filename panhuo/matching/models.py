"""Index builds (with progress), push preferences, pushed matches (never twice), in-app notifications, push runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from panhuo.accounts.models import Organization
from panhuo.patents.models import Patent


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class IndexBuild(models.Model):
    """One full rebuild or incremental (delta) update of the matching index."""

    class Kind(models.TextChoices):
        FULL = "full", "全量重建"
        DELTA = "delta", "增量更新"
        ENTERPRISE = "enterprise", "企业索引"
        UPGRADE = "upgrade", "升级为完整模型"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED, db_index=True)
    tier = models.CharField("稠密向量层", max_length=8, blank=True)
    stage = models.CharField(max_length=32, blank=True)
    stage_started_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    doc_count = models.PositiveIntegerField(default=0)
    watermark = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done / self.total) if self.total else (100 if self.state == JobState.DONE else 0)
        )

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left in the current stage at its rate so far (None when unknown)."""
        if self.state != JobState.RUNNING or not self.stage_started_at or not 0 < self.done < self.total:
            return None
        elapsed = (timezone.now() - self.stage_started_at).total_seconds()
        return int(elapsed / self.done * (self.total - self.done))


STAGE_LABELS = {
    "read": "读取专利",
    "tokenise": "分词",
    "bm25": "关键词索引",
    "static-table": "快速词向量表",
    "index": "分段建索引",
    "embed": "语义向量",
    "upgrade": "逐段升级为完整模型",
    "done": "完成",
}


class PushPreference(models.Model):
    """Per-enterprise digest settings; unsubscribing flips `enabled` (signed link in every e-mail)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="push_preference"
    )
    enabled = models.BooleanField("接收推送", default=True)
    threshold = models.FloatField("推送阈值", default=0.6)
    max_per_digest = models.PositiveSmallIntegerField(default=5)
    last_digest_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)


class PushRun(models.Model):
    """One batch digest over all enterprises."""

    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    @property
    def percent(self) -> int:
        return (
            int(100 * self.done / self.total) if self.total else (100 if self.state == JobState.DONE else 0)
        )


class PushedMatch(models.Model):
    """A patent pushed to an enterprise. Unique: the same patent is never pushed to the same enterprise twice."""

    enterprise = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pushed_matches")
    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="pushed_to")
    run = models.ForeignKey(PushRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="matches")
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "patent"], name="pushed_match_once")]


class Notification(models.Model):
    """In-app message to an organization's users (match digests)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="match_notifications"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
