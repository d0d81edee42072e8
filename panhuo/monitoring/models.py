"""Monitoring: exact pre-aggregates, KPI programmes and snapshots, anomaly cases, subsidies, surveys.

Aggregates are rebuilt from the deals / patents tables by `aggregates.aggregates_rebuild` (a Huey job and
`panhuo stats --rebuild`); tests check each equals the naive query. Region prefixes: "" (national), 2 digits
(province), 4 (city), 6 (district), taken from Organization.region_code.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from engine.monitoring import anomaly as anomaly_rules
from panhuo.accounts.models import College, Organization
from panhuo.common.models import TimeStampedModel


class Side(models.TextChoices):
    SELLER = "S", "供给方(高校院所/出让方)所在地"
    ENTERPRISE = "E", "企业方所在地"


class DealAggregate(models.Model):
    """Deals in contract states per region prefix × side × year × bi-month × kind × patent type × flags."""

    side = models.CharField(max_length=1, choices=Side.choices)
    region_prefix = models.CharField(max_length=6, blank=True)
    year = models.PositiveSmallIntegerField()
    bimonth = models.PositiveSmallIntegerField()  # 1..6
    kind = models.CharField(max_length=16)
    patent_type = models.CharField(max_length=12)  # of the deal's first patent
    from_institution = models.BooleanField()  # the holder is a university or institute
    enterprise_sme = models.BooleanField()  # the enterprise side is a 中小微企业
    filed = models.BooleanField()  # licences only: a 许可合同备案 exists (always False for other kinds)
    deals = models.PositiveIntegerField(default=0)
    patents = models.PositiveIntegerField(default=0)
    contract_fen = models.BigIntegerField(default=0)
    received_fen = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["side", "region_prefix", "year"], name="mon_dealagg_lookup")]


class SubRegionAggregate(models.Model):
    """Totals per child region of a prefix (the dashboard's 下级区域 chart) without the other dimensions."""

    side = models.CharField(max_length=1, choices=Side.choices)
    parent_prefix = models.CharField(max_length=6, blank=True)
    region_prefix = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    bimonth = models.PositiveSmallIntegerField()
    deals = models.PositiveIntegerField(default=0)
    contract_fen = models.BigIntegerField(default=0)
    received_fen = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["side", "parent_prefix", "year"], name="mon_subregion_lookup")]


class InstitutionDealAggregate(models.Model):
    institution = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=6, blank=True)
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16)
    deals = models.PositiveIntegerField(default=0)
    patents = models.PositiveIntegerField(default=0)
    contract_fen = models.BigIntegerField(default=0)
    received_fen = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["year", "region_code"], name="mon_instagg_lookup")]


class InstitutionYearAggregate(models.Model):
    """One row per institution, year and region prefix of the institution (all kinds): the ranking table.

    Stored once per prefix ("" national, province, city, district) so that a region's top institutions are the
    first rows of the index (year, region_prefix, deals DESC): a LIMIT read whatever the country's size, where a
    `region_code LIKE 'prefix%'` filter sorted every institution of the year (and cannot use a plain b-tree
    index on PostgreSQL under a non-C collation).
    """

    institution = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    region_code = models.CharField(max_length=6, blank=True)
    region_prefix = models.CharField(max_length=6, blank=True, default="")
    year = models.PositiveSmallIntegerField()
    deals = models.PositiveIntegerField(default=0)
    contract_fen = models.BigIntegerField(default=0)
    received_fen = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["year", "region_prefix", "-deals", "institution_id"], name="mon_instyear_rank"
            )
        ]


class IndustryDealAggregate(models.Model):
    """Deals per industry of their patents (a patent in two industries counts in both)."""

    side = models.CharField(max_length=1, choices=Side.choices)
    region_prefix = models.CharField(max_length=6, blank=True)
    year = models.PositiveSmallIntegerField()
    scheme = models.CharField(max_length=8)
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=200, blank=True)
    deals = models.PositiveIntegerField(default=0)
    patents = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["side", "region_prefix", "year", "scheme"], name="mon_indagg_lookup")]


class DistinctAggregate(models.Model):
    """Distinct counts (not additive, so stored per region prefix): SMEs served, patents transferred …"""

    side = models.CharField(max_length=1, choices=Side.choices)
    region_prefix = models.CharField(max_length=6, blank=True)
    year = models.PositiveSmallIntegerField()
    metric = models.CharField(max_length=40)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["side", "region_prefix", "year", "metric"], name="mon_distinct_unique"
            )
        ]


class InventoryAggregate(models.Model):
    """Inventory coverage per institution × college × patent type (current state)."""

    institution = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=6, blank=True, db_index=True)
    college = models.ForeignKey(College, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    patent_type = models.CharField(max_length=12)
    total = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    pooled = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    implemented = models.PositiveIntegerField(default=0)
    industrialised = models.PositiveIntegerField(default=0)


class InventoryRegionAggregate(models.Model):
    region_prefix = models.CharField(max_length=6, blank=True)
    patent_type = models.CharField(max_length=12)
    institutions = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    pooled = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    implemented = models.PositiveIntegerField(default=0)
    industrialised = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["region_prefix"], name="mon_invregion_lookup")]


class ResponseAggregate(models.Model):
    """Institutions' response time to enterprise needs (answered_at − need.published_at) per year of the answer,
    per region prefix of the institution (institution empty) or per institution (region_prefix empty).
    Milliseconds, integers: the mean is total ÷ answers and the median is the stored middle answer, both exact."""

    region_prefix = models.CharField(max_length=6, blank=True)
    institution = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    answers = models.PositiveIntegerField(default=0)
    total_ms = models.BigIntegerField(default=0)
    median_ms = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["year", "region_prefix"], name="mon_response_region"),
            models.Index(fields=["institution", "year"], name="mon_response_inst"),
        ]


class AggregateBuild(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)
    deals_watermark = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]


class ProductStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class ProductFiling(TimeStampedModel):
    """专利密集型产品备案 / 专利产品记录 of an enterprise, confirmed by the IP office of its region (KPI cq9 / jl8
    count the confirmed ones). Written through `monitoring.products`."""

    enterprise = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="product_filings")
    product = models.CharField("产品名称", max_length=200)
    filing_number = models.CharField("专利密集型产品备案号", max_length=40, blank=True)
    patent_keys = models.JSONField(
        "专利", default=list, blank=True
    )  # canonical 申请号 of the patents it uses
    filed_on = models.DateField("备案日期", db_index=True)
    sales_year = models.PositiveSmallIntegerField("销售额年度", null=True, blank=True)
    sales_fen = models.BigIntegerField("年销售额（分）", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ProductStatus.choices, default=ProductStatus.PENDING, db_index=True
    )
    reject_reason = models.TextField("未通过原因", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing_number"], condition=~Q(filing_number=""), name="product_filing_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(sales_fen__isnull=True) | Q(sales_fen__gte=0), name="product_sales_not_negative"
            ),
        ]


class KpiProgramme(TimeStampedModel):
    office = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="kpi_programmes")
    code = models.CharField("编号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=200)
    region_prefix = models.CharField("统计区域(行政区划前缀)", max_length=6, blank=True)
    # What the indicators measure: region prefixes inside the office's region, e.g. ["500106", "500107"] for
    # 重庆高新区 (empty: region_prefix). Set by kpi.programme_create / programme_scope_set.
    scope = models.JSONField("统计范围", default=list, blank=True)
    start = models.DateField("开始")
    end = models.DateField("结束")
    preset = models.CharField(max_length=20, blank=True)
    source = models.TextField("依据", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-start", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="kpi_period_order")
        ]

    def __str__(self) -> str:
        return self.name


class KpiIndicator(models.Model):
    programme = models.ForeignKey(KpiProgramme, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=200)
    metric = models.CharField(max_length=40)
    kind = models.CharField(max_length=12)  # cumulative | level | growth
    target = models.BigIntegerField()
    unit = models.CharField(max_length=8)
    weight = models.PositiveIntegerField(default=10)
    manual_actual = models.BigIntegerField(null=True, blank=True)  # for metrics the platform cannot see
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["programme_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="kpi_indicator_unique")]


class KpiSnapshot(models.Model):
    """A frozen evaluation (bi-monthly), so a past report is reproduced from it, not recomputed."""

    programme = models.ForeignKey(KpiProgramme, on_delete=models.CASCADE, related_name="snapshots")
    period = models.CharField(max_length=10)  # 2026-B5
    as_of = models.DateField()
    score_bp = models.PositiveIntegerField()
    results = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [models.UniqueConstraint(fields=["programme", "period"], name="kpi_snapshot_unique")]


class SurveyResponse(TimeStampedModel):
    """满意度调查: one answer per organization user and year; satisfied = score ≥ 4 of 5."""

    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=6, blank=True, db_index=True)
    respondent_type = models.CharField(max_length=12)  # institution | enterprise
    year = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["respondent", "year"], name="survey_once_per_year"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_score_range"),
        ]


class AnomalyRuleConfig(models.Model):
    rule = models.CharField(max_length=32, unique=True)
    enabled = models.BooleanField(default=True)
    params = models.JSONField(default=dict, blank=True)  # Thresholds fields to override


class AnomalyRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    deals_scanned = models.PositiveIntegerField(default=0)
    cases_found = models.PositiveIntegerField(default=0)
    cases_new = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]


class CaseStatus(models.TextChoices):
    OPEN = "open", "待核查"
    CONFIRMED = "confirmed", "确认异常"
    DISMISSED = "dismissed", "排除"


class AnomalyCase(TimeStampedModel):
    rule = models.CharField(max_length=32, db_index=True)
    fingerprint = models.CharField(max_length=255, unique=True)
    deal_ids = models.JSONField(default=list)
    patents = models.JSONField(default=list)
    parties = models.JSONField(default=list)
    region_code = models.CharField(max_length=6, blank=True, db_index=True)  # the holder's region
    confidence = models.FloatField()
    evidence = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    reason = models.TextField("核查意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(
        AnomalyRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-confidence", "-id"]

    @property
    def rule_label(self) -> str:
        return anomaly_rules.RULES.get(self.rule, "其他规则")

    @property
    def evidence_sentences(self) -> list[str]:
        return anomaly_rules.explain(self.rule, self.evidence)


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "待审批"
    APPROVED = "approved", "已批准"


class SubsidyBatch(TimeStampedModel):
    office = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="subsidy_batches")
    scheme_code = models.CharField(max_length=40)
    # The rules this batch applied (empty for batches generated before schemes were data: they used the preset
    # of `scheme_code` in engine/programmes/presets.py). A version never changes, so the batch stays reproducible.
    scheme_version = models.ForeignKey(
        "programmes.SubsidySchemeVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batches",
    )
    name = models.CharField(max_length=200)
    region_prefix = models.CharField(max_length=6, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    total_claimed_fen = models.BigIntegerField(default=0)
    total_capped_fen = models.BigIntegerField(default=0)
    total_paid_fen = models.BigIntegerField(default=0)
    scaled = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]


class SubsidyApplication(models.Model):
    """One entity's claim in a batch (申请); rejected ones are left out of the payout."""

    batch = models.ForeignKey(SubsidyBatch, on_delete=models.CASCADE, related_name="applications")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    claimed_fen = models.BigIntegerField(default=0)
    capped_fen = models.BigIntegerField(default=0)
    paid_fen = models.BigIntegerField(default=0)
    rejected = models.BooleanField(default=False)
    reject_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["batch_id", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "organization"], name="subsidy_application_unique")
        ]


class SubsidyLine(models.Model):
    """One paid item. (scheme, deal, rule, beneficiary) is unique across every batch: public money pays it once.

    Lines stored before this rule existed that duplicated an earlier one keep `scheme_code` empty (outside the
    constraint) as evidence of the double payment.
    """

    application = models.ForeignKey(SubsidyApplication, on_delete=models.CASCADE, related_name="lines")
    scheme_code = models.CharField(max_length=40, blank=True)
    beneficiary = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    deal_code = models.CharField(max_length=32)
    rule = models.CharField(max_length=32)
    amount_fen = models.BigIntegerField()

    class Meta:
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme_code", "deal_code", "rule", "beneficiary"],
                condition=~Q(scheme_code=""),
                name="subsidy_line_once_ever",
            )
        ]


class SubsidyHold(models.Model):
    """暂缓: an item a batch did not pay, with the reason shown on the batch (re-examined by the next batch)."""

    class Reason(models.TextChoices):
        # the labels are engine.programmes.subsidy.HOLD_REASONS
        ALREADY_PAID = "already_claimed", "已在其他批次申报，不重复奖补"
        OTHER_SCHEME = "other_scheme", "已获其他奖补方案支持，不重复支持"
        ANOMALY = "anomaly", "存在待核查或已确认的异常交易案件"
        NOT_FILED = "not_filed", "尚未在国家知识产权局办理备案/登记"
        UNPAID = "unpaid", "合同价款未全部到账"
        SELF_DECLARED = "self_declared", "企业规模或地区仅为自报，未经知识产权局确认"
        SUPERSEDED = "superseded", "从高不重复：同一事项已按更高标准奖补"

    batch = models.ForeignKey(SubsidyBatch, on_delete=models.CASCADE, related_name="holds")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    deal_code = models.CharField(max_length=32)
    rule = models.CharField(max_length=32)
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["batch_id", "id"]
