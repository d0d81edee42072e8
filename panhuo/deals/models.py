"""Deals (transfer, licence, open licence, equity, pledge, industrialisation), filings, payments, income split.

Money is integer fen everywhere (BigIntegerField); Decimal only when parsing user input at the edges.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel
from panhuo.patents.models import Patent

MAX_FEN = 10**17  # one amount; keeps every sum of 50 rows inside signed 64 bits (see selectors.exact_sum_fen)


class DealKind(models.TextChoices):
    TRANSFER = "transfer", "转让"
    LICENCE = "licence", "许可"
    OPEN_LICENCE = "open_licence", "开放许可"
    EQUITY = "equity", "作价入股"
    PLEDGE = "pledge", "质押融资"
    SELF_IMPLEMENTATION = "self_impl", "自行实施/产业化"


class LicenceType(models.TextChoices):
    EXCLUSIVE = "exclusive", "独占许可"
    SOLE = "sole", "排他许可"
    ORDINARY = "ordinary", "普通许可"


EXCLUSIVE_TYPES = (LicenceType.EXCLUSIVE, LicenceType.SOLE)


class DealState(models.TextChoices):
    INTENT = "intent", "意向"
    NEGOTIATION = "negotiation", "谈判"
    SIGNED = "signed", "签约"
    FILED = "filed", "备案/登记"
    PERFORMING = "performing", "履行"
    COMPLETED = "completed", "完成"
    TERMINATED = "terminated", "终止"


# States in which the contract exists (signed and not ended by termination).
CONTRACT_STATES = (DealState.SIGNED, DealState.FILED, DealState.PERFORMING, DealState.COMPLETED)
# States in which a licence / pledge binds the patent (term dates decide the rest).
BINDING_STATES = (DealState.SIGNED, DealState.FILED, DealState.PERFORMING)


class DealSource(models.TextChoices):
    MANUAL = "manual", "手工录入"
    IMPORT = "import", "批量导入"
    OPEN_LICENCE = "open_licence", "开放许可接受"
    DEMO = "demo", "演示"
    FINANCING = "financing", "质押融资申请"


class Deal(TimeStampedModel):
    """One contract (or intended contract) about one or more patents."""

    code = models.CharField("交易编号", max_length=32, unique=True)
    kind = models.CharField("交易类型", max_length=16, choices=DealKind.choices, db_index=True)
    title = models.CharField("名称", max_length=300)
    # The tenant that owns the record: the holding institution (seller / licensor / pledgor / investor).
    institution = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="deals")
    state = models.CharField(
        "状态", max_length=12, choices=DealState.choices, default=DealState.INTENT, db_index=True
    )
    licence_type = models.CharField("许可类型", max_length=12, choices=LicenceType.choices, blank=True)
    sublicensable = models.BooleanField("可分许可", default=False)
    pay_after_use = models.BooleanField("先使用后付费", default=False)
    zero_entry_fee = models.BooleanField("零入门费", default=False)
    # 先使用后付费: the terms the instalment schedule was generated from (engine.deals.schedule.ScheduleTerms as
    # JSON) and when the institution confirmed it (after which the schedule is no longer edited).
    schedule_terms = models.JSONField("付款计划条款", default=dict, blank=True)
    schedule_confirmed_at = models.DateTimeField("付款计划确认时间", null=True, blank=True)
    territory = models.CharField("地域范围", max_length=200, blank=True)
    term_start = models.DateField("期限起", null=True, blank=True)
    term_end = models.DateField("期限止", null=True, blank=True, db_index=True)
    contract_date = models.DateField("合同日期", null=True, blank=True, db_index=True)
    contract_amount_fen = models.BigIntegerField("合同金额（分）", default=0)
    received_fen = models.BigIntegerField(
        "实际到账（分）", default=0
    )  # sum of Payment rows, kept by services
    # 作价入股
    valuation_fen = models.BigIntegerField("作价金额（分）", null=True, blank=True)
    share_bp = models.PositiveIntegerField("持股比例（万分之）", null=True, blank=True)
    company = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="equity_deals"
    )
    # 质押融资
    pledge_registration_no = models.CharField("质押登记号", max_length=64, blank=True)
    pledgee_consents_open_licence = models.BooleanField("质权人同意开放许可", default=False)
    # 民法典第四百四十四条: a pledged patent is not transferred or licensed without the pledgee's agreement
    pledgee_consents_transfer_licence = models.BooleanField("质权人同意质押期间转让或许可", default=False)
    # 自行实施 / 产业化
    product = models.CharField("产品", max_length=200, blank=True)
    annual_output_fen = models.BigIntegerField("年产值（分）", null=True, blank=True)
    # second approver rule
    needs_second_approval = models.BooleanField("需复核", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    activity_applied = models.BooleanField(default=False)  # patent activity counters bumped once
    open_licence = models.ForeignKey(
        "OpenLicenceDeclaration", null=True, blank=True, on_delete=models.PROTECT, related_name="licences"
    )
    source = models.CharField(max_length=16, choices=DealSource.choices, default=DealSource.MANUAL)
    import_key = models.CharField(max_length=64, null=True, blank=True, unique=True)  # idempotent import
    notes = models.TextField("备注", blank=True)
    terminated_reason = models.TextField("终止原因", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    patents = models.ManyToManyField(Patent, through="DealPatent", related_name="deals")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_amount_fen__gte=0, contract_amount_fen__lte=MAX_FEN),
                name="deal_amount_range",
            ),
            models.CheckConstraint(condition=Q(received_fen__gte=0), name="deal_received_nonneg"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(approved_by=F("created_by")),
                name="deal_approver_not_creator",
            ),
            models.CheckConstraint(
                condition=Q(share_bp__isnull=True) | Q(share_bp__lte=10000), name="deal_share_bp_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_exclusive(self) -> bool:
        return self.kind in (DealKind.LICENCE, DealKind.OPEN_LICENCE) and self.licence_type in EXCLUSIVE_TYPES

    @property
    def outstanding_fen(self) -> int:
        return max(0, self.contract_amount_fen - self.received_fen)


class PartyRole(models.TextChoices):
    ASSIGNOR = "assignor", "让与人"
    ASSIGNEE = "assignee", "受让人"
    LICENSOR = "licensor", "许可人"
    LICENSEE = "licensee", "被许可人"
    PLEDGOR = "pledgor", "出质人"
    PLEDGEE = "pledgee", "质权人"
    INVESTOR = "investor", "出资人"
    COMPANY = "company", "被投资企业"
    IMPLEMENTER = "implementer", "实施单位"
    BROKER = "broker", "服务机构"


class DealParty(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="deal_parties")
    role = models.CharField("角色", max_length=12, choices=PartyRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "organization", "role"], name="deal_party_unique"),
        ]


class DealPatent(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_patents")
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="deal_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "patent"], name="deal_patent_unique")]


class DealEvent(models.Model):
    """Who did what to a deal and when (the audit chain holds the same, tamper-evident)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=24)  # create | advance | approve | terminate | payment | filing
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]


class DealInventor(models.Model):
    """The inventor team of a deal with contribution shares (basis points, summing to 10000)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="inventors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deal_shares"
    )
    name = models.CharField("姓名", max_length=100)
    share_bp = models.PositiveIntegerField("贡献份额（万分之）")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_bp__gt=0) & Q(share_bp__lte=10000), name="inventor_share_range"
            ),
        ]


class PaymentInstalment(models.Model):
    """The payment schedule (应付计划)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="instalments")
    due_date = models.DateField("应付日期")
    amount_fen = models.BigIntegerField("应付金额（分）")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="instalment_positive")]


class Payment(models.Model):
    """Money actually received (实际到账)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="payments")
    received_on = models.DateField("到账日期", db_index=True)
    amount_fen = models.BigIntegerField("到账金额（分）")
    reference = models.CharField("凭证号", max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0, amount_fen__lte=MAX_FEN), name="payment_range"
            ),
            models.UniqueConstraint(
                fields=["deal", "reference"], condition=~Q(reference=""), name="payment_reference_unique"
            ),
        ]


class FilingKind(models.TextChoices):
    LICENCE_FILING = "licence_filing", "专利实施许可合同备案"
    TRANSFER_REGISTRATION = "transfer_reg", "专利权转让登记"
    PLEDGE_REGISTRATION = "pledge_reg", "专利权质押登记"
    TECH_CONTRACT = "tech_contract", "技术合同认定登记"


class Filing(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="filings")
    kind = models.CharField("登记类型", max_length=16, choices=FilingKind.choices, db_index=True)
    number = models.CharField("备案/登记号", max_length=64, blank=True)
    filed_on = models.DateField("备案/登记日期")
    # Transfers take effect on the registration date (专利法 Art. 10).
    effective_on = models.DateField("生效日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "number"], condition=~Q(number=""), name="filing_number_unique"
            ),
            models.UniqueConstraint(fields=["deal", "kind"], name="filing_once_per_kind"),
        ]


class PaymentMethod(models.TextChoices):
    ONE_OFF = "one_off", "一次性支付"
    ROYALTY = "royalty", "提成支付"
    ENTRY_PLUS_ROYALTY = "entry_royalty", "入门费+提成"


class OpenLicenceDeclaration(TimeStampedModel):
    """专利开放许可声明 (专利法 Art. 50, 实施细则 Art. 85); published, withdrawable, never deleted."""

    patent = models.ForeignKey(Patent, on_delete=models.PROTECT, related_name="open_licences")
    holder = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="open_licences")
    payment_method = models.CharField("支付方式", max_length=16, choices=PaymentMethod.choices)
    fixed_fee_fen = models.BigIntegerField("一次性许可费（分）", null=True, blank=True)
    entry_fee_fen = models.BigIntegerField("入门费（分）", null=True, blank=True)
    royalty_sales_bp = models.PositiveIntegerField("提成：净销售额（万分之）", null=True, blank=True)
    royalty_profit_bp = models.PositiveIntegerField("提成：利润（万分之）", null=True, blank=True)
    term_start = models.DateField("许可期限起")
    term_end = models.DateField("许可期限止")
    other_terms = models.TextField("其他事项", blank=True)
    pay_after_use = models.BooleanField("先使用后付费", default=False)
    zero_entry_fee = models.BooleanField("零入门费", default=False)
    evaluation_report = models.BooleanField("已出具专利权评价报告", default=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("公布时间", db_index=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True, db_index=True)
    withdrawal_reason = models.TextField("撤回原因", blank=True)
    is_demo = models.BooleanField("演示数据", default=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patent"], condition=Q(withdrawn_at__isnull=True), name="open_licence_one_active"
            ),
            models.CheckConstraint(
                condition=Q(fixed_fee_fen__isnull=True) | Q(fixed_fee_fen__gte=0),
                name="open_licence_fee_nonneg",
            ),
        ]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class IncomeRule(TimeStampedModel):
    """An institution's income distribution rule (basis points of each payment received)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="income_rule")
    institution_bp = models.PositiveIntegerField("单位份额（万分之）")
    inventors_bp = models.PositiveIntegerField("发明人团队份额（万分之）")
    service_bp = models.PositiveIntegerField("服务团队份额（万分之）", default=0)
    service_kinds = models.JSONField("服务团队奖励适用的交易类型", default=list, blank=True)
    approval_threshold_fen = models.BigIntegerField("需复核的合同金额（分）", null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(institution_bp=10000 - F("inventors_bp") - F("service_bp")),
                name="income_rule_sums",
            ),
        ]


class Recipient(models.TextChoices):
    INSTITUTION = "institution", "单位"
    INVENTOR = "inventor", "发明人"
    SERVICE = "service", "服务团队"


class IncomeAllocation(models.Model):
    """One part of one payment; the parts of a payment sum exactly to it."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    recipient = models.CharField(max_length=12, choices=Recipient.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="income"
    )
    name = models.CharField(max_length=100)
    amount_fen = models.BigIntegerField()

    class Meta:
        ordering = ["payment_id", "id"]
