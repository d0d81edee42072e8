"""The people around the deals: 典型案例 (case studies), 对接会 / 路演 / 培训 events with registration and attendance,
服务机构 brokering (match proposals, service records, deal origins) and 技术经理人 profiles.

Deals and needs stay in their apps: `DealOrigin` names, per deal, the event and the broker it came from, so the
deals app needs no new column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel
from panhuo.deals.models import Deal
from panhuo.demand.models import Need
from panhuo.patents.models import Patent


class CaseCategory(models.TextChoices):
    # Liaoning (seed 000, 四(四)): 在政策创新、服务举措、转化模式等方面总结提炼有效经验
    MODE = "mode", "转化模式"
    SERVICE = "service", "服务举措"
    POLICY = "policy", "政策创新"


class CaseState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    PUBLISHED = "published", "已发布"
    RETURNED = "returned", "已退回"


class CaseStudy(TimeStampedModel):
    """典型案例: written by an office or an institution, reviewed before publication, then public."""

    author_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="case_studies")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField("案例名称", max_length=200)
    category = models.CharField("案例类型", max_length=12, choices=CaseCategory.choices)
    summary = models.TextField("摘要")
    background = models.TextField("背景", blank=True)
    process = models.TextField("转化过程", blank=True)
    effects = models.TextField("转化成效", blank=True)
    lessons = models.TextField("经验启示", blank=True)
    contract_fen = models.BigIntegerField("合同金额（分）", default=0)
    revenue_fen = models.BigIntegerField("新增销售收入（分）", default=0)
    jobs = models.PositiveIntegerField("新增就业（人）", default=0)
    deals = models.ManyToManyField(Deal, blank=True, related_name="+")
    patents = models.ManyToManyField(Patent, blank=True, related_name="+")
    state = models.CharField(
        "状态", max_length=12, choices=CaseState.choices, default=CaseState.DRAFT, db_index=True
    )
    return_reason = models.TextField("退回原因", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        ordering = ["-published_at", "-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_fen__gte=0, revenue_fen__gte=0), name="case_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="case_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventKind(models.TextChoices):
    MATCHMAKING = "matchmaking", "对接会"
    ROADSHOW = "roadshow", "路演"
    TRAINING = "training", "培训"


class Event(TimeStampedModel):
    """对接会 / 路演 / 培训 organised by an office, an institution or an agency."""

    code = models.CharField("活动编号", max_length=32, unique=True)
    organiser = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="events")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField("活动类型", max_length=12, choices=EventKind.choices, db_index=True)
    title = models.CharField("活动名称", max_length=200)
    description = models.TextField("活动简介", blank=True)
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    online = models.BooleanField("线上活动", default=False)
    place = models.CharField("地点 / 线上会议室", max_length=300)
    capacity = models.PositiveIntegerField("名额")
    per_org_limit = models.PositiveIntegerField("每单位限报人数", default=0)  # 0: no limit per organisation
    registration_closes_at = models.DateTimeField("报名截止")
    registration_closed = models.BooleanField("已停止报名", default=False)
    cancelled = models.BooleanField("已取消", default=False)
    cancelled_reason = models.CharField("取消原因", max_length=500, blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="+")
    patents = models.ManyToManyField(Patent, blank=True, related_name="+")
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventRegistration(TimeStampedModel):
    """One person's place at an event: a signed-in user who registered, or a walk-in from the attendance list."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField("姓名", max_length=100)
    org_name = models.CharField("单位", max_length=200, blank=True)
    walk_in = models.BooleanField("现场签到（未报名）", default=False)
    attended = models.BooleanField("已签到", default=False)
    attended_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["event_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(user__isnull=False), name="registration_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["event", "name", "org_name"], condition=Q(user__isnull=True), name="walk_in_once"
            ),
        ]


class Decision(models.TextChoices):
    PENDING = "pending", "待答复"
    ACCEPTED = "accepted", "接受"
    DECLINED = "declined", "谢绝"


class MatchProposal(TimeStampedModel):
    """撮合建议: a 服务机构 proposes a pooled patent for a posted need; both sides answer."""

    agency = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="match_proposals")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("推荐理由")
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    holder_decision = models.CharField(
        "权利人答复", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    holder_note = models.CharField("权利人说明", max_length=500, blank=True)
    enterprise_decision = models.CharField(
        "企业答复", max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    enterprise_note = models.CharField("企业说明", max_length=500, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "patent", "need"], name="proposal_once_per_pair"),
        ]

    @property
    def outcome(self) -> str:
        """撮合结果 in words: declined by either side, accepted by both, else waiting."""
        if Decision.DECLINED in (self.holder_decision, self.enterprise_decision):
            return "未达成"
        if self.holder_decision == self.enterprise_decision == Decision.ACCEPTED:
            return "双方接受"
        return "等待答复"


class ServiceType(models.TextChoices):
    # Liaoning (seed 000, 二(十)): 提供筛选评价、路演推介、交易撮合等各类增值服务
    SCREENING = "screening", "筛选评价"
    ROADSHOW = "roadshow", "路演推介"
    BROKERING = "brokering", "交易撮合"
    VALUATION = "valuation", "价值评估"
    LEGAL = "legal", "法律服务"
    OTHER = "other", "其他"


class TechManager(TimeStampedModel):
    """技术经理人: a person's profile; shown publicly only with consent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tech_manager"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=100)
    qualification = models.CharField("资格", max_length=100)
    certificate_no = models.CharField("证书编号", max_length=64, blank=True)
    fields_text = models.CharField("服务领域", max_length=300)
    bio = models.TextField("简介", blank=True)
    public_consent = models.BooleanField("同意公开展示", default=False)
    is_demo = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class BrokerService(TimeStampedModel):
    """A 服务机构's record of one service it gave (type, dates, fee), for a proposal and/or a deal."""

    agency = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="broker_services")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    service_type = models.CharField("服务类型", max_length=12, choices=ServiceType.choices)
    proposal = models.ForeignKey(
        MatchProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    manager = models.ForeignKey(
        TechManager, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    fee_fen = models.BigIntegerField("服务费（分）", default=0)
    notes = models.TextField("说明", blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(fee_fen__gte=0), name="service_fee_not_negative")]


class DealOrigin(TimeStampedModel):
    """Where a deal came from: the event, the broker (and its proposal, its 技术经理人). Recorded by the deal's
    institution, which is how a broker's claim is confirmed."""

    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, related_name="origin")
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal_origins"
    )
    broker = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="brokered_deal_origins"
    )
    proposal = models.ForeignKey(
        MatchProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal_origins"
    )
    manager = models.ForeignKey(
        TechManager, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal_origins"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False) | Q(broker__isnull=False),
                name="origin_names_event_or_broker",
            ),
        ]
