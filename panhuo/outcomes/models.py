"""产业化成效: what a deal produced, per deal and calendar year (revenue, output, jobs, new products)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization
from panhuo.common.models import TimeStampedModel
from panhuo.deals.models import Deal


class DealOutcome(TimeStampedModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="outcomes")
    year = models.PositiveSmallIntegerField("年度")
    revenue_fen = models.BigIntegerField("销售收入（分）", default=0)
    output_fen = models.BigIntegerField("产值（分）", default=0)
    jobs = models.PositiveIntegerField("新增就业（人）", default=0)
    new_products = models.PositiveIntegerField("新产品（项）", default=0)
    notes = models.TextField("说明", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["deal_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "year"], name="outcome_once_per_deal_year"),
            models.CheckConstraint(
                condition=Q(revenue_fen__gte=0, output_fen__gte=0), name="outcome_amounts_not_negative"
            ),
        ]
