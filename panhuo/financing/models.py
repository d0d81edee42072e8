"""质押融资: an enterprise's (or institution's) application to a bank for a loan secured by patents it holds.

The bank decides; an approved loan is a 质押 deal (`deals.Deal`, kind pledge) signed when approved, filed when the
质押登记 is recorded, completed (and the pledge released in the rights record) when the loan is repaid.
Money is integer fen; rates are basis points of a year (385 = 3.85 %).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel
from panhuo.deals.models import MAX_FEN, Deal
from panhuo.patents.models import Patent


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审批"
    MORE_INFO = "more_info", "待补充材料"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已拒绝"
    REGISTERED = "registered", "已登记放款"
    REPAID = "repaid", "已还款解押"
    WITHDRAWN = "withdrawn", "已撤回"


# States in which the application still binds its patents (no second application on them).
OPEN_STATES = (ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO, ApplicationStatus.APPROVED)
# States in which the loan exists (the patents are pledged).
LOAN_STATES = (ApplicationStatus.APPROVED, ApplicationStatus.REGISTERED)


class ValuationSource(models.TextChoices):
    PLATFORM = "platform", "平台价值评估"
    APPRAISAL = "appraisal", "评估机构评估报告"


class PledgeApplication(TimeStampedModel):
    code = models.CharField("申请编号", max_length=32, unique=True)
    applicant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="pledge_applications")
    bank = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pledge_applications_received"
    )
    status = models.CharField(
        "状态",
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    requested_amount_fen = models.BigIntegerField("申请金额（分）")
    requested_term_months = models.PositiveSmallIntegerField("申请期限（月）")
    purpose = models.TextField("资金用途", blank=True)
    # Valuation attached: the platform's value scores (snapshot at submission) or an appraisal report.
    valuation_source = models.CharField("估值来源", max_length=12, choices=ValuationSource.choices)
    valuation_fen = models.BigIntegerField("评估价值（分）", null=True, blank=True)
    appraiser = models.CharField("评估机构", max_length=200, blank=True)
    report_name = models.CharField("评估报告文件名", max_length=200, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    report_body = models.BinaryField(default=b"", editable=False)
    platform_scores = models.JSONField(
        "平台评估快照", default=list, blank=True
    )  # [{patent, key, score, tier, high_value}]
    supplement = models.TextField("补充材料说明", blank=True)
    # The bank's decision.
    decision_note = models.TextField("审批意见 / 拒绝理由 / 补充要求", blank=True)
    approved_amount_fen = models.BigIntegerField("批准金额（分）", null=True, blank=True)
    interest_rate_bp = models.PositiveIntegerField("年利率（万分之）", null=True, blank=True)
    approved_term_months = models.PositiveSmallIntegerField("批准期限（月）", null=True, blank=True)
    premium_fen = models.BigIntegerField("保险 / 担保费（分）", default=0)
    loan_start = models.DateField("贷款起", null=True, blank=True)
    loan_end = models.DateField("贷款止", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    # 质押登记 (CNIPA) and the end of the loan.
    registration_no = models.CharField("质押登记号", max_length=64, blank=True)
    registration_date = models.DateField("质押登记日", null=True, blank=True)
    repaid_on = models.DateField("还款解押日", null=True, blank=True)
    interest_paid_fen = models.BigIntegerField("实付利息（分）", null=True, blank=True)
    deal = models.OneToOneField(
        Deal, null=True, blank=True, on_delete=models.PROTECT, related_name="pledge_application"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, db_index=True)
    is_demo = models.BooleanField("演示数据", default=False)

    patents = models.ManyToManyField(Patent, through="PledgePatent", related_name="pledge_applications")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_amount_fen__gt=0, requested_amount_fen__lte=MAX_FEN),
                name="pledge_requested_range",
            ),
            models.CheckConstraint(
                condition=Q(approved_amount_fen__isnull=True)
                | Q(approved_amount_fen__gt=0, approved_amount_fen__lte=MAX_FEN),
                name="pledge_approved_range",
            ),
            models.CheckConstraint(condition=Q(premium_fen__gte=0), name="pledge_premium_nonneg"),
            models.CheckConstraint(
                condition=Q(interest_rate_bp__isnull=True) | Q(interest_rate_bp__lte=10000),
                name="pledge_rate_range",
            ),
            models.UniqueConstraint(
                fields=["registration_no"],
                condition=~Q(registration_no=""),
                name="pledge_registration_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def has_report(self) -> bool:
        return bool(self.report_sha256)


class PledgePatent(models.Model):
    application = models.ForeignKey(
        PledgeApplication, on_delete=models.CASCADE, related_name="pledge_patents"
    )
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "patent"], name="pledge_patent_unique")]


class PledgeAction(models.TextChoices):
    SUBMIT = "submit", "提交申请"
    SUPPLEMENT = "supplement", "补充材料"
    APPROVE = "approve", "批准"
    REJECT = "reject", "拒绝"
    MORE_INFO = "more_info", "要求补充材料"
    REGISTER = "register", "质押登记"
    REPAY = "repay", "还款解押"
    WITHDRAW = "withdraw", "撤回"


class PledgeEvent(models.Model):
    """Who did what to an application and when (the audit chain holds the same, tamper-evident)."""

    application = models.ForeignKey(PledgeApplication, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=PledgeAction.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
