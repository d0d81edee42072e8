"""Evaluation: assessments, weight sets (as rows), stored value scores, tier rules, recompute jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization
from panhuo.patents.models import Patent


class Scenario(models.TextChoices):
    """GB/T 42748-2023 评估场景 that Panhuo scores for."""

    LICENSING = "licensing", "许可转让"
    FINANCE = "finance", "金融/质押"
    MANAGEMENT = "management", "分级管理"


class WeightSet(models.Model):
    """Indicator weights for one scenario, for one organization (or the platform default when null).

    Rows are never edited: a weight change writes a new version, so old scores stay reproducible.
    """

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="weight_sets"
    )
    scenario = models.CharField("评估场景", max_length=12, choices=Scenario.choices)
    version = models.PositiveIntegerField("版本")
    weights = models.JSONField(
        "指标权重"
    )  # {"legal_status": 0.08, ...}; renormalised over present indicators
    engine_version = models.CharField(max_length=16)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scenario", "version"], name="weightset_org_scenario_version"
            ),
            models.UniqueConstraint(
                fields=["scenario", "version"],
                condition=Q(organization__isnull=True),
                name="weightset_default_scenario_version",
            ),
        ]
        ordering = ["scenario", "-version"]

    def __str__(self) -> str:
        return self.model_version

    @property
    def model_version(self) -> str:
        owner = self.organization.code if self.organization_id and self.organization else "default"
        return f"gbt42748-{self.engine_version}/{self.scenario}/{owner}/w{self.version}"


class Tier(models.TextChoices):
    PROACTIVE = "proactive", "主动经纪"
    STANDARD = "standard", "标准挂牌推送"
    OPEN_LICENCE = "open_licence", "开放许可候选"
    FEE_REVIEW = "fee_review", "年费前复核"


class ValueScore(models.Model):
    """The current value score of a patent in one scenario, with everything needed to explain it.

    `values`/`raw` are lists in the order of the engine's indicator list; the breakdown (weight,
    contribution, missing) is recomputed from them and the weight set, so it always adds up.
    """

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="value_scores")
    scenario = models.CharField(max_length=12, choices=Scenario.choices)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # holding institution whose weights were used (null: platform default)
    weight_set = models.ForeignKey(WeightSet, on_delete=models.PROTECT, related_name="scores")
    model_version = models.CharField(max_length=80)
    score = models.FloatField("价值分", db_index=True)  # 0..100
    legal = models.FloatField("法律价值", null=True, blank=True)
    technical = models.FloatField("技术价值", null=True, blank=True)
    economic = models.FloatField("经济价值", null=True, blank=True)
    values = models.JSONField(default=list)  # normalised 0..1 or null (missing)
    raw = models.JSONField(default=list)  # raw indicator values or null
    high_value = models.JSONField("高价值类别", default=list, blank=True)
    high_value_bits = models.PositiveSmallIntegerField(default=0, db_index=True)  # bit i = category i
    sleeping = models.BooleanField("沉睡专利", default=False, db_index=True)
    sleeping_years = models.PositiveSmallIntegerField(null=True, blank=True)
    tier = models.CharField("推广层级", max_length=16, choices=Tier.choices, blank=True, db_index=True)
    tier_reason = models.CharField("层级原因", max_length=300, blank=True)
    fee_due_date = models.DateField("下次年费", null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patent", "scenario"], name="valuescore_patent_scenario")
        ]
        indexes = [
            models.Index(fields=["scenario", "organization", "score"]),
            models.Index(fields=["scenario", "tier"]),
        ]


class TierRule(models.Model):
    """One configurable 分层推广 rule; the first matching rule (lowest priority number) places the patent."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="tier_rules"
    )
    priority = models.PositiveSmallIntegerField("优先级")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    min_score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)  # exclusive
    require_high_value_or_positive = models.BooleanField(default=False)
    min_demand = models.PositiveIntegerField(
        null=True, blank=True
    )  # favourites + matching needs + evaluations
    fee_due_within_days = models.PositiveIntegerField(null=True, blank=True)
    reason_zh = models.CharField(max_length=200)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["organization_id", "priority"]


class EvaluationPolicy(models.Model):
    """Per-organization (or default when null) thresholds that are not published officially."""

    organization = models.OneToOneField(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="evaluation_policy"
    )
    pledge_threshold_fen = models.BigIntegerField("高价值质押金额门槛(分)", default=100_000_000)
    open_licence_fee_reduction = models.FloatField("开放许可年费减缴比例", default=0.15)
    drop_below_score = models.FloatField("建议放弃维持的分数线", default=30.0)
    fee_horizon_days = models.PositiveIntegerField("年费日历范围(天)", default=365)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(organization__isnull=False), name="policy_per_org"
            )
        ]


class AssessmentKind(models.TextChoices):
    INSTITUTION = "institution", "学校(TTO)评价"
    ENTERPRISE = "enterprise", "企业市场评价"
    EXPERT = "expert", "专家评价"


class Prospect(models.TextChoices):
    GOOD = "good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


class Willingness(models.TextChoices):
    STRONG = "strong", "强烈"
    SOME = "some", "有意向"
    NONE = "none", "暂无"


class Assessment(models.Model):
    """One assessment of one patent: who, when, the answers. The inventor's self-assessment is the 建档 record."""

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=12, choices=AssessmentKind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    expert_name = models.CharField("专家", max_length=100, blank=True)
    trl = models.PositiveSmallIntegerField("技术成熟度", null=True, blank=True)
    value_grade = models.CharField("价值分级", max_length=1, blank=True)  # A-D
    prospect = models.CharField("产业化前景", max_length=8, choices=Prospect.choices, blank=True)
    improvement_need = models.TextField("技术改进需求", blank=True)
    cooperation = models.CharField("产学研合作意愿", max_length=8, choices=Willingness.choices, blank=True)
    recommended_mode = models.CharField("建议转化方式", max_length=20, blank=True)
    price_min_fen = models.BigIntegerField("建议价格下限(分)", null=True, blank=True)
    price_max_fen = models.BigIntegerField("建议价格上限(分)", null=True, blank=True)
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9), name="assessment_trl_range"
            ),
            models.CheckConstraint(
                condition=Q(price_min_fen__isnull=True)
                | Q(price_max_fen__isnull=True)
                | Q(price_min_fen__lte=models.F("price_max_fen")),
                name="assessment_price_range",
            ),
        ]
        ordering = ["created_at", "id"]

    @property
    def is_positive(self) -> bool:
        return self.prospect == Prospect.GOOD or self.cooperation == Willingness.STRONG


# The same rule as Assessment.is_positive, as a filter (counted into PatentActivity.positive_evaluations).
POSITIVE_ASSESSMENT = models.Q(prospect=Prospect.GOOD) | models.Q(cooperation=Willingness.STRONG)


class ScoreJob(models.Model):
    """A background rescore (after a weight change): progress polled by the web page."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE)
    scenario = models.CharField(max_length=12, choices=Scenario.choices, blank=True)  # blank: all
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
