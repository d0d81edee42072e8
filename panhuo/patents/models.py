"""Patents (bibliographic, global), inventory records (建档, per holding institution) and their review history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import College, Organization
from panhuo.common.fields import EncryptedTextField
from panhuo.common.models import TimeStampedModel


class PatentType(models.TextChoices):
    INVENTION = "invention", "发明"
    UTILITY = "utility", "实用新型"
    DESIGN = "design", "外观设计"


class LegalStatus(models.TextChoices):
    PENDING = "pending", "审中"
    VALID = "valid", "有效"
    LAPSED = "lapsed", "未缴年费终止"
    EXPIRED = "expired", "期限届满"
    INVALIDATED = "invalidated", "被宣告无效"
    REJECTED = "rejected", "驳回"
    WITHDRAWN = "withdrawn", "撤回"
    UNKNOWN = "unknown", "未知"


class Patent(TimeStampedModel):
    """Bibliographic record. Natural key: the canonical 申请号; until one is known, the publication number."""

    app_no = models.CharField("申请号", max_length=16, null=True, blank=True, unique=True)
    pub_no = models.CharField("公开（公告）号", max_length=16, null=True, blank=True, unique=True)
    pub_kind = models.CharField("文献种类", max_length=2, blank=True)
    grant_no = models.CharField("授权公告号", max_length=20, blank=True)
    # Indexes on this table are paid on every imported row (a million-row import): only columns that a page
    # filters or sorts on with a selective condition get one; 3-valued types and statuses do not.
    patent_type = models.CharField("专利类型", max_length=12, choices=PatentType.choices)
    title = models.CharField("名称", max_length=500)
    abstract = models.TextField("摘要", blank=True)
    claims = models.TextField("权利要求", blank=True)
    claims_count = models.PositiveIntegerField("权利要求数", null=True, blank=True)
    independent_claims_count = models.PositiveIntegerField("独立权利要求数", null=True, blank=True)
    ipc_main = models.CharField("主分类号", max_length=20, blank=True)
    ipc_codes = models.JSONField("IPC 分类号", default=list, blank=True)  # canonical codes, main first
    # No index of its own: 8 values (a filter on it reads an eighth of the table anyway); ipc_class ("H04")
    # starts with the section and is indexed.
    ipc_section = models.CharField(max_length=1, blank=True)
    ipc_class = models.CharField(max_length=3, blank=True, db_index=True)
    ipc_subclass = models.CharField(max_length=4, blank=True, db_index=True)
    ipc_historic = models.JSONField(
        "旧版 IPC", default=list, blank=True
    )  # codes absent from the current edition
    applicants = models.JSONField("申请人", default=list, blank=True)
    patentees = models.JSONField("专利权人", default=list, blank=True)
    inventors = models.JSONField("发明人", default=list, blank=True)
    application_date = models.DateField("申请日", null=True, blank=True)
    publication_date = models.DateField("公开日", null=True, blank=True)
    grant_date = models.DateField("授权公告日", null=True, blank=True)
    legal_status = models.CharField(
        "法律状态", max_length=12, choices=LegalStatus.choices, default=LegalStatus.UNKNOWN
    )
    annual_fee_paid_until = models.DateField("年费缴至", null=True, blank=True)
    expiry_date = models.DateField("届满日", null=True, blank=True)
    family_size = models.PositiveIntegerField("同族数", null=True, blank=True)
    overseas_granted = models.BooleanField("有海外授权同族", default=False)
    citations_forward = models.PositiveIntegerField("被引次数", null=True, blank=True)
    citations_backward = models.PositiveIntegerField("引用次数", null=True, blank=True)
    award = models.CharField("获奖", max_length=100, blank=True)  # 国家科学技术奖 / 中国专利奖 …
    source = models.CharField("来源", max_length=100, blank=True)
    is_demo = models.BooleanField("演示数据", default=False)
    is_synthetic = models.BooleanField("合成数据", default=False)
    content_hash = models.CharField(
        max_length=32, blank=True
    )  # of the imported fields: "unchanged" detection

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(app_no__isnull=False) | Q(pub_no__isnull=False), name="patent_has_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        """What users and the API call the patent: the 申请号, else the publication number with its kind."""
        if self.app_no:
            return self.app_no
        return f"{self.pub_no}{self.pub_kind}"

    @property
    def is_granted(self) -> bool:
        return self.grant_date is not None or self.pub_kind in {"B", "C", "U", "Y", "S"}


class PatentActivity(models.Model):
    """Counters that higher apps (deals, demand, evaluation, matching) keep up to date through patents services.

    Lets evaluation and matching read market signals without importing the apps that produce them.
    """

    patent = models.OneToOneField(Patent, primary_key=True, on_delete=models.CASCADE, related_name="activity")
    transfers = models.PositiveIntegerField(default=0)
    licences = models.PositiveIntegerField(default=0)
    open_licence_active = models.BooleanField(default=False)
    exclusive_licence_until = models.DateField(null=True, blank=True)
    pledges = models.PositiveIntegerField(default=0)
    max_pledge_fen = models.BigIntegerField(default=0)
    equity_deals = models.PositiveIntegerField(default=0)
    implemented = models.BooleanField(default=False)
    favourites = models.PositiveIntegerField(default=0)
    enterprise_evaluations = models.PositiveIntegerField(default=0)
    positive_evaluations = models.PositiveIntegerField(default=0)
    matching_needs = models.PositiveIntegerField(default=0)
    ownership_dispute = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)


class PatentIndustry(models.Model):
    """A patent placed in an industry scheme (written by the classification job, read everywhere)."""

    class Scheme(models.TextChoices):
        GBT4754 = "gbt4754", "国民经济行业"
        SEI = "sei", "战略性新兴产业"
        TAG = "tag", "产业标签"  # ip_intensive / digital / highTech_mfg / highTech_svc

    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="industries")
    scheme = models.CharField(max_length=8, choices=Scheme.choices)
    code = models.CharField(max_length=16)
    name = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(default=4)
    confidence = models.FloatField(default=1.0)
    source = models.CharField(max_length=64, blank=True)  # "official:2018", "derived", "sei:2021" …
    derived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patent", "scheme", "code"], name="patent_industry_unique")
        ]
        indexes = [models.Index(fields=["scheme", "code"])]


class InventoryState(models.TextChoices):
    UNFILED = "unfiled", "未建档"
    DRAFT = "draft", "草稿"
    COLLEGE_REVIEW = "college_review", "待学院审核"
    INSTITUTION_REVIEW = "institution_review", "待学校审核"
    POOLED = "pooled", "已入库"
    TRANSFERRED = "transferred", "已转出"  # a completed transfer took it out of this institution's pool


class ImplementationStatus(models.TextChoices):
    NOT_IMPLEMENTED = "not_implemented", "未实施"
    IMPLEMENTED = "implemented", "已实施"
    INDUSTRIALISED = "industrialised", "已产业化"


class ConversionMode(models.TextChoices):
    TRANSFER = "transfer", "转让"
    LICENCE = "licence", "许可"
    EQUITY = "equity", "作价入股"
    SELF_IMPLEMENTATION = "self_implementation", "自行实施/产业化"
    OPEN_LICENCE = "open_licence", "开放许可"


class ValueSelfGrade(models.TextChoices):
    A = "A", "A 高价值"
    B = "B", "B 较高"
    C = "C", "C 一般"
    D = "D", "D 较低"


class InventoryRecord(TimeStampedModel):
    """建档: one holding institution's record of one patent, through two-level review into the 转化资源库."""

    # Indexed through the (organization, state) and (organization, college) indexes below.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="inventory", db_index=False
    )
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="inventory_records")
    # college / filer: looked up through (organization, college) below, or only when a college or an account
    # is deleted (rare; accounts are disabled, not deleted): no single-column index to pay on every import row.
    college = models.ForeignKey(
        College, null=True, blank=True, on_delete=models.SET_NULL, related_name="inventory", db_index=False
    )
    state = models.CharField(
        "状态", max_length=20, choices=InventoryState.choices, default=InventoryState.UNFILED, db_index=True
    )
    first_inventor = models.CharField("第一发明人", max_length=100, blank=True)
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filed_records",
        db_index=False,
    )
    proxy_filing = models.BooleanField("代为建档", default=False)
    inventor_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="inventor_records"
    )
    fiscal_funded = models.BooleanField("是否财政资助科研项目形成", null=True, blank=True)
    implementation_status = models.CharField(
        "实施状态", max_length=20, choices=ImplementationStatus.choices, blank=True
    )
    conversion_intent = models.BooleanField("有转化意愿", null=True, blank=True)
    conversion_modes = models.JSONField("可接受的转化方式", default=list, blank=True)
    trl = models.PositiveSmallIntegerField("技术成熟度 TRL", null=True, blank=True)
    value_self_grade = models.CharField(
        "价值分级自评", max_length=1, choices=ValueSelfGrade.choices, blank=True
    )
    application_scenarios = models.TextField("应用场景", blank=True)
    industrialisation_prospects = models.TextField("产业化前景", blank=True)
    contact_name = models.CharField("联系人", max_length=100, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    contact_email = models.EmailField("联系邮箱", blank=True)
    # 项目组合 (Dazhou: "对转化意愿、转化方式、项目组合等进行标注"): the named portfolio the patent is offered in.
    portfolio = models.CharField("项目组合", max_length=100, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    pooled_at = models.DateTimeField("入库时间", null=True, blank=True, db_index=True)
    converted = models.BooleanField("已转化", default=False)  # counted, never looked up: no index
    # The institution's choice to show this pooled record on the public front door (no sign-in); see publishing.py.
    public_since = models.DateTimeField("公开发布时间", null=True, blank=True, db_index=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "patent"], name="inventory_unique_per_org"),
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9), name="inventory_trl_range"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"]),
            models.Index(fields=["organization", "college"]),
            # covers "the patents of every published record" (专利导航's visible set) without reading the rows
            models.Index(fields=["state", "patent"], name="inventory_state_patent"),
        ]

    @property
    def is_filed(self) -> bool:
        return self.state != InventoryState.UNFILED

    @property
    def is_pooled(self) -> bool:
        return self.state == InventoryState.POOLED

    @property
    def conversion_mode_labels(self) -> list[str]:
        return [ConversionMode(m).label for m in self.conversion_modes if m in ConversionMode.values]


class ReviewEvent(models.Model):
    """Every transition of an inventory record: who, when, from, to, why."""

    record = models.ForeignKey(InventoryRecord, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=24)  # fill | submit | approve | return | reopen
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    ACTION_LABELS = {
        "open": "纳入基础库",
        "fill": "建档",
        "submit": "提交审核",
        "approve": "审核通过",
        "return": "退回修改",
        "reopen": "重新打开",
    }

    @property
    def action_display(self) -> str:
        return self.ACTION_LABELS.get(self.action, self.action)

    @property
    def from_state_display(self) -> str:
        return (
            InventoryState(self.from_state).label
            if self.from_state in InventoryState.values
            else self.from_state
        )

    @property
    def to_state_display(self) -> str:
        return (
            InventoryState(self.to_state).label if self.to_state in InventoryState.values else self.to_state
        )


# The rights record lives in its own module; imported here so Django registers its models with this app.
from panhuo.patents.rights.models import (  # noqa: E402, F401
    PatentHolder,
    PatentRights,
    RightsConflict,
    RightsEvent,
    RightsGrant,
)
