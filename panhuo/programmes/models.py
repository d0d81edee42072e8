"""Programmes an IP office configures: subsidy schemes as versioned data, pledge-loan figures the 贴息 / 保费
rules read, and 事前资助 pre-funded projects with targets, self-evaluation and acceptance.

Written through `programmes.services`; the subsidy calculation is `engine/programmes/subsidy.py`, batches are
`monitoring.SubsidyBatch` (each records the `SubsidySchemeVersion` it used).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel
from panhuo.deals.models import Deal


class SubsidyScheme(TimeStampedModel):
    """An office's 奖补方案. Its rules live in versions; `code` is what `SubsidyLine.scheme_code` names."""

    office = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="subsidy_schemes")
    code = models.CharField("方案编号", max_length=40, unique=True)
    preset = models.CharField("来源预设", max_length=40, blank=True)
    current_version = models.PositiveIntegerField("当前版本", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SubsidySchemeVersion(models.Model):
    """One immutable set of rules (engine.programmes.subsidy.scheme_to_dict). A change makes the next version."""

    scheme = models.ForeignKey(SubsidyScheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    name = models.CharField("方案名称", max_length=200)
    definition = models.JSONField("规则")
    regions = models.JSONField("适用区域(行政区划前缀)", default=list)
    note = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheme_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="subsidy_scheme_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.number}"


class PledgeLoanFigures(TimeStampedModel):
    """What a 质押融资 loan cost the enterprise: the figures 贴息 / 保费补助 rules are paid on.

    The seam with the 质押融资 application flow: one row per pledge deal (`Deal.kind == pledge`); the loan amount
    itself is the deal's contract amount. Written by the pledgor enterprise or the office of its region
    (`services.pledge_figures_record`).
    """

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="loan_figures")
    interest_paid_fen = models.BigIntegerField("已实际支付利息（分）", default=0)
    premium_paid_fen = models.BigIntegerField("已实际支付保费/担保费（分）", default=0)
    annual_rate_bp = models.PositiveIntegerField("年利率（万分之）", null=True, blank=True)
    paid_until = models.DateField("付息截至", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(interest_paid_fen__gte=0, premium_paid_fen__gte=0),
                name="pledge_figures_not_negative",
            )
        ]


class ProjectStatus(models.TextChoices):
    FUNDED = "funded", "实施中"
    SUBMITTED = "submitted", "已提交自评"
    PASSED = "passed", "验收通过"
    RECTIFY = "rectify", "限期整改"
    FAILED = "failed", "验收不通过"


class FundedProject(TimeStampedModel):
    """事前资助: an office funds a project of an institution or enterprise against per-project targets."""

    office = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="funded_projects")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="held_projects")
    code = models.CharField("项目编号", max_length=40, unique=True)
    name = models.CharField("项目名称", max_length=200)
    category = models.CharField("项目类别", max_length=100, blank=True)
    amount_fen = models.BigIntegerField("资助金额（分）")
    start = models.DateField("开始")
    end = models.DateField("结束")
    source = models.TextField("依据", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.FUNDED, db_index=True
    )
    self_evaluation = models.TextField("自评说明", blank=True)
    submitted_at = models.DateTimeField("自评提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acceptance_reason = models.TextField("验收意见", blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="funded_project_period_order"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funded_project_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectTarget(models.Model):
    """One 绩效目标 of a project, in a unit of engine.monitoring.units; `actual` is the holder's self-evaluation."""

    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("指标", max_length=200)
    unit = models.CharField("单位", max_length=12)
    target = models.BigIntegerField("目标值")
    actual = models.BigIntegerField("完成值", null=True, blank=True)

    class Meta:
        ordering = ["project_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="project_target_not_negative"),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0), name="project_actual_not_negative"
            ),
        ]


class ProjectEvidence(models.Model):
    """A file the holder attaches to its self-evaluation (PDF / image / spreadsheet, checked by content)."""

    project = models.ForeignKey(FundedProject, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "id"]
