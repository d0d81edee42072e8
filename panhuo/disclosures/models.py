"""技术交底 (invention disclosures), 申请前评估 (pre-filing evaluations) and the filing that follows a decision.

A disclosure belongs to one institution (the tenant). Its filing, once the 申请号 is known, is linked to the
Patent and the institution's inventory record it created, so the record reaches the 基础库 without retyping.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from engine.deals.money import format_bp
from panhuo.accounts.models import College, Organization
from panhuo.common.models import TimeStampedModel
from panhuo.patents.models import InventoryRecord, Patent


class DisclosureState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待评估"
    DECIDED = "decided", "已决定"
    FILED = "filed", "已申请"


class FundingSource(models.TextChoices):
    FISCAL = "fiscal", "财政资助科研项目"
    ENTERPRISE = "enterprise", "企业委托/横向项目"
    OWN = "own", "单位自有经费"
    OTHER = "other", "其他"


class Decision(models.TextChoices):
    FILE_INVENTION = "file_invention", "申请发明专利"
    FILE_UTILITY = "file_utility", "申请实用新型专利"
    KNOW_HOW = "know_how", "作为技术秘密保护"
    RELEASE = "release", "放弃（不申请）"
    ASSIGN_INVENTORS = "assign_inventors", "赋权给发明人"


FILING_DECISIONS = (Decision.FILE_INVENTION, Decision.FILE_UTILITY)
# 申请号 type digit -> the decision it must come from ("1" invention, "2" utility model).
DECISION_PATENT_TYPE = {Decision.FILE_INVENTION: "invention", Decision.FILE_UTILITY: "utility"}


class Disclosure(TimeStampedModel):
    """技术交底书: what an inventor tells the TTO before anything is filed (confidential to the institution)."""

    institution = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="disclosures")
    college = models.ForeignKey(
        College, null=True, blank=True, on_delete=models.SET_NULL, related_name="disclosures"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="disclosures"
    )
    state = models.CharField(
        "状态", max_length=12, choices=DisclosureState.choices, default=DisclosureState.DRAFT, db_index=True
    )
    title = models.CharField("发明名称", max_length=200)
    field = models.CharField("技术领域", max_length=200)
    problem = models.TextField("要解决的技术问题")
    solution = models.TextField("技术方案")
    advantages = models.TextField("有益效果", blank=True)
    prior_art = models.TextField("已知的现有技术", blank=True)
    funding_source = models.CharField("经费来源", max_length=12, choices=FundingSource.choices)
    funding_projects = models.JSONField("财政资助项目编号", default=list, blank=True)
    planned_publication_on = models.DateField("计划公开（发表）日期", null=True, blank=True)
    planned_publication = models.CharField("计划公开方式", max_length=200, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, db_index=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "state"], name="disclosure_inst_state")]

    def __str__(self) -> str:
        return self.title

    @property
    def fiscal_funded(self) -> bool:
        return self.funding_source == FundingSource.FISCAL


class DisclosureInventor(models.Model):
    """One inventor of a disclosure with a contribution share (basis points; the shares add up to 10000)."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="inventors")
    name = models.CharField("姓名", max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_bp = models.PositiveIntegerField("贡献比例(万分之)")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["disclosure_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(share_bp__lte=10000), name="disclosure_share_range"),
        ]

    @property
    def share_percent(self) -> str:
        return format_bp(self.share_bp, trim=True)


class PreFilingEvaluation(TimeStampedModel):
    """申请前评估: novelty notes (with the similar patents Panhuo found), prospects, the decision and why."""

    disclosure = models.OneToOneField(Disclosure, on_delete=models.CASCADE, related_name="evaluation")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"patent_id": 1, "key": "2023...", "title": "...", "similarity": 0.83}], as found at search time
    similar_patents = models.JSONField("相似专利", default=list, blank=True)
    searched_at = models.DateTimeField("检索时间", null=True, blank=True)
    novelty_notes = models.TextField("新颖性检索意见", blank=True)
    market_prospects = models.TextField("市场前景", blank=True)
    industrialisation_prospects = models.TextField("产业化前景", blank=True)
    decision = models.CharField("评估结论", max_length=20, choices=Decision.choices, blank=True)
    reasons = models.TextField("理由", blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True, db_index=True)

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)

    @property
    def leads_to_filing(self) -> bool:
        return self.decision in FILING_DECISIONS


class Filing(TimeStampedModel):
    """The application filed after a 'file' decision; the 申请号 may come later and then links the patent."""

    disclosure = models.OneToOneField(Disclosure, on_delete=models.CASCADE, related_name="filing")
    filed_on = models.DateField("申请日")
    agency = models.CharField("代理机构", max_length=200, blank=True)
    app_no = models.CharField("申请号", max_length=16, blank=True)
    patent = models.ForeignKey(
        Patent, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosure_filings"
    )
    inventory_record = models.ForeignKey(
        InventoryRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app_no"], condition=~Q(app_no=""), name="filing_app_no_unique"),
        ]
