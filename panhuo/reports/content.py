"""What a periodic report says: one frozen dict per (office | institution, period), built from monitoring."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum

from panhuo.accounts.models import HOLDER_TYPES, Organization, OrganizationType
from panhuo.common.errors import ApplicationError
from panhuo.common.labels import period_label
from panhuo.deals.models import CONTRACT_STATES, Deal
from panhuo.monitoring.kpi import programme_evaluate
from panhuo.monitoring.models import AnomalyCase, KpiProgramme, SubsidyBatch
from panhuo.monitoring.regions import Period, region_prefix
from panhuo.monitoring.stats import KIND_LABELS, Scope, dashboard


def _kpis(office: Organization, period: Period) -> list[dict[str, Any]]:
    out = []
    for programme in KpiProgramme.objects.filter(office=office, start__lte=period.end, end__gte=period.start):
        snap = programme.snapshots.filter(period=period.label).first() if period.bimonth else None
        out.append(snap.results if snap else programme_evaluate(programme, as_of=period.end))
    return out


def report_content(*, organization: Organization, period: Period) -> dict[str, Any]:
    """An office's periodic report (its region) or an institution's report / 专利运营年报 (its own records)."""
    if organization.type == OrganizationType.IP_OFFICE:
        prefix = region_prefix(organization.region_code)
        stats = dashboard(Scope(prefix, None, organization.name), period)
        anomalies = dict(
            AnomalyCase.objects.filter(region_code__startswith=prefix)
            .values("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        subsidy = SubsidyBatch.objects.filter(
            office=organization, period_start__lte=period.end, period_end__gte=period.start
        ).aggregate(claimed=Sum("total_claimed_fen"), paid=Sum("total_paid_fen"))
        title = f"{organization.name}专利转化运用监测{'年度' if period.bimonth is None else '双月'}报告（{period_label(period.label)}）"
        return {
            "kind": "office",
            "title": title,
            "organization": organization.name,
            "period": period_label(period.label),
            "stats": stats,
            "kpis": _kpis(organization, period),
            "anomalies": anomalies,
            "subsidy": {k: v or 0 for k, v in subsidy.items()},
            "kind_labels": KIND_LABELS,
        }
    if organization.type not in HOLDER_TYPES:
        raise ApplicationError(
            "bad_org", "报告仅适用于知识产权局或高校院所", "reports are for offices or institutions"
        )
    stats = dashboard(Scope("", organization.id, organization.name), period)
    months = [m for b in period.bimonths for m in (2 * b - 1, 2 * b)]
    deals = list(
        Deal.objects.filter(
            institution=organization,
            state__in=CONTRACT_STATES,
            contract_date__year=period.year,
            contract_date__month__in=months,
        )
        .order_by("contract_date", "id")
        .values("code", "kind", "title", "contract_date", "contract_amount_fen", "received_fen")[:2000]
    )
    annual = period.bimonth is None
    title = (
        f"{organization.name}{period.year}年度专利运营年报"
        if annual
        else f"{organization.name}专利转化双月报告（{period_label(period.label)}）"
    )
    return {
        "kind": "institution",
        "title": title,
        "organization": organization.name,
        "period": period_label(period.label),
        "stats": stats,
        "deals": deals,
        "kind_labels": KIND_LABELS,
    }
