"""Demand side: enterprise profiles, technology needs and answers, subscriptions, favourites, cooperation requests.

Matching (a higher app) pulls profiles and needs by their `updated_at` watermark.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from engine.deals.money import format_fen
from panhuo.accounts.models import Organization
from panhuo.common.fields import EncryptedTextField
from panhuo.common.labels import QUALIFICATION_NAMES, qualification_label
from panhuo.common.models import TimeStampedModel
from panhuo.patents.models import Patent


class EnterpriseSize(models.TextChoices):
    LARGE = "large", "大型"
    MEDIUM = "medium", "中型"
    SMALL = "small", "小型"
    MICRO = "micro", "微型"


class Qualification(models.TextChoices):
    SPECIALISED = "specialised", QUALIFICATION_NAMES["specialised"]
    LITTLE_GIANT = "little_giant", QUALIFICATION_NAMES["little_giant"]
    HIGH_TECH = "high_tech", QUALIFICATION_NAMES["high_tech"]
    TECH_SME = "tech_sme", QUALIFICATION_NAMES["tech_sme"]
    IP_ADVANTAGE = "ip_advantage", QUALIFICATION_NAMES["ip_advantage"]  # 国家/省知识产权优势示范企业
    STATE_OWNED = "state_owned", QUALIFICATION_NAMES["state_owned"]
    PROTECTION_CENTRE = "protection_centre", QUALIFICATION_NAMES["protection_centre"]  # 保护中心备案企业


class EnterpriseProfile(TimeStampedModel):
    """企业信息: one per enterprise organization. Name and 统一社会信用代码 live on the Organization."""

    class Source(models.TextChoices):
        REGISTRATION = "registration", "企业注册"
        IMPORT = "import", "批量导入"
        DEMO = "demo", "演示"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="enterprise_profile"
    )
    industry_code = models.CharField("行业代码（GB/T 4754 小类）", max_length=8, blank=True, db_index=True)
    industry_name = models.CharField("行业名称", max_length=200, blank=True)
    industry_confirmed = models.BooleanField("行业已确认", default=False)
    # Size and region stated by the office's own enterprise list (import), not only by the enterprise itself:
    # subsidies hold back beneficiaries whose size/region are only self-declared.
    office_confirmed = models.BooleanField("规模与地区经知识产权局确认", default=False)
    size = models.CharField("企业规模", max_length=8, choices=EnterpriseSize.choices, blank=True)
    qualifications = models.JSONField("资质", default=list, blank=True)  # [Qualification values]
    business_scope = models.TextField("经营范围", blank=True)
    technical_focus = models.TextField("技术关注方向", blank=True)
    contact_name = models.CharField("联系人", max_length=100, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    contact_email = models.EmailField("联系邮箱", blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.REGISTRATION)
    is_demo = models.BooleanField("演示数据", default=False)
    # When and by whom the office last confirmed size and region on its queue (`office_confirmed` is the rule
    # subsidies read; `enterprise_profile_save` clears it when size or region change); see docs/demand.md.
    size_confirmed_at = models.DateTimeField("最近确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization_id"]

    @property
    def qualification_labels(self) -> list[str]:
        """资质 in words (专精特新 “小巨人”…), never the stored values."""
        return [qualification_label(q) for q in self.qualifications]

    def __str__(self) -> str:
        return str(self.organization)


class CooperationMode(models.TextChoices):
    TRANSFER = "transfer", "转让"
    LICENCE = "licence", "许可"
    EQUITY = "equity", "作价入股"
    JOINT_DEVELOPMENT = "joint_development", "合作开发"
    TECH_SERVICE = "tech_service", "技术服务"


class NeedStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "征集中"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已关闭"


class Need(TimeStampedModel):
    """技术需求 posted by an enterprise. Drafts are visible only to their enterprise."""

    enterprise = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="needs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("需求名称", max_length=200)
    description = models.TextField("需求描述")
    industry_code = models.CharField("行业代码", max_length=8, blank=True, db_index=True)
    industry_name = models.CharField("行业名称", max_length=200, blank=True)
    ipc_hints = models.JSONField("IPC 提示", default=list, blank=True)  # canonical IPC codes / prefixes
    budget_min_fen = models.BigIntegerField("预算下限（分）", null=True, blank=True)
    budget_max_fen = models.BigIntegerField("预算上限（分）", null=True, blank=True)
    wanted_mode = models.CharField("合作方式", max_length=20, choices=CooperationMode.choices)
    deadline = models.DateField("截止日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    patents = models.ManyToManyField(
        Patent, blank=True, related_name="naming_needs"
    )  # patents the need names
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min_fen__isnull=True)
                | Q(budget_max_fen__isnull=True)
                | Q(budget_min_fen__lte=models.F("budget_max_fen")),
                name="need_budget_range",
            ),
            models.CheckConstraint(
                condition=(Q(budget_min_fen__isnull=True) | Q(budget_min_fen__gte=0))
                & (Q(budget_max_fen__isnull=True) | Q(budget_max_fen__gte=0)),
                name="need_budget_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status != NeedStatus.DRAFT

    @property
    def budget_text(self) -> str:
        """ "10,000.00–50,000.00 元" from integer fen (no float on the way)."""

        yuan = format_fen

        lo, hi = self.budget_min_fen, self.budget_max_fen
        if lo is None and hi is None:
            return "面议"
        if lo is not None and hi is not None:
            return f"{yuan(lo)}–{yuan(hi)} 元"
        return f"≥ {yuan(lo)} 元" if lo is not None else f"≤ {yuan(hi)} 元"  # type: ignore[arg-type]


class NeedAnswer(TimeStampedModel):
    """An institution's answer to a need; `answered_at - need.published_at` is its response time."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="answers")
    institution = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="need_answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("答复内容")
    proposed_patents = models.ManyToManyField(Patent, blank=True, related_name="+")
    answered_at = models.DateTimeField("答复时间", db_index=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "institution"], name="need_answer_once_per_institution")
        ]


class Subscription(TimeStampedModel):
    """我的订阅: what an enterprise user wants to hear about (matching's push reads these)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="subscriptions")
    name = models.CharField("订阅名称", max_length=100)
    keywords = models.JSONField("关键词", default=list, blank=True)
    ipc_codes = models.JSONField("IPC", default=list, blank=True)
    industry_codes = models.JSONField("行业代码", default=list, blank=True)
    institutions = models.ManyToManyField(Organization, blank=True, related_name="+")
    active = models.BooleanField("启用", default=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]


class Favourite(models.Model):
    """我的收藏: an enterprise user's bookmarked pooled patent (bumps PatentActivity.favourites)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="favourites")
    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="favourites")
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "patent"], name="favourite_once")]


class RequestStatus(models.TextChoices):
    NEW = "new", "待处理"
    REPLIED = "replied", "已回复"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已拒绝"
    CLOSED = "closed", "已关闭"


class CooperationRequest(TimeStampedModel):
    """合作请求: an enterprise asks an institution about a patent (or a need); the institution's inbox."""

    enterprise = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cooperation_sent")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cooperation_inbox")
    patent = models.ForeignKey(
        Patent, null=True, blank=True, on_delete=models.SET_NULL, related_name="cooperation_requests"
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="cooperation_requests"
    )
    mode = models.CharField("合作方式", max_length=20, choices=CooperationMode.choices)
    message = models.TextField("留言")
    contact_name = models.CharField("联系人", max_length=100, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, default="")
    status = models.CharField(
        "状态", max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True
    )
    reply = models.TextField("回复", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField("首次回复时间", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["enterprise", "status"]),
        ]
