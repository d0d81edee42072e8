"""Annual-fee payments recorded by the holding institution (年费缴纳记录); they move Patent.annual_fee_paid_until."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from panhuo.accounts.models import Organization
from panhuo.patents.models import Patent


class AnnualFeePayment(models.Model):
    patent = models.ForeignKey(Patent, on_delete=models.CASCADE, related_name="fee_payments")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField("缴费日期")
    patent_year = models.PositiveSmallIntegerField("年度（第 N 年）")
    amount_fen = models.BigIntegerField("金额（分）")
    paid_until = models.DateField("缴至")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patent_id", "-patent_year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patent", "patent_year"], name="fee_payment_once_per_year"),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="fee_payment_not_negative"),
            models.CheckConstraint(
                condition=Q(patent_year__gte=1, patent_year__lte=20), name="fee_year_range"
            ),
        ]
