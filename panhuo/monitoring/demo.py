"""Monitoring demo (idempotent, labelled): two preset KPI programmes for DEMO-OFFICE-CQ with a snapshot, a small
scenario of demo deals that the anomaly rules flag, an anomaly run, survey answers, product filings and a
subsidy batch. Patent titles of the scenario come from reference/patents (real CN publications)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from panhuo.accounts.models import Organization, OrganizationType, User
from panhuo.common.errors import ApplicationError
from panhuo.deals.models import (
    Deal,
    DealKind,
    DealParty,
    DealPatent,
    DealSource,
    DealState,
    Filing,
    FilingKind,
    PartyRole,
)
from panhuo.demand.models import EnterpriseProfile
from panhuo.monitoring import kpi
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.anomalies import anomalies_run
from panhuo.monitoring.models import KpiProgramme, ProductFiling, SubsidyBatch, SurveyResponse
from panhuo.monitoring.regions import period_of
from panhuo.monitoring.subsidies import batch_create
from panhuo.patents.models import Patent, PatentType
from panhuo.patents.rights.models import GrantKind, HolderSource, PatentHolder
from panhuo.patents.rights.services import rights_grant, rights_holder_add, rights_transfer_complete

PREFIX = "DEMO-MON-"


def _titles(n: int) -> list[tuple[str, str]]:
    path = Path(settings.BASE_DIR) / "reference" / "patents" / "cn_patent_titles_ipc_lxingy3.csv"
    out: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] == "B":  # granted inventions
                out.append((row["publication_number"], row["title"]))
            if len(out) >= n:
                break
    return out


def _scenario(out: Any) -> None:
    """A→B→A re-transfer, a ¥0 transfer and a contract with nothing received (all labelled demo)."""
    if Deal.objects.filter(code__startswith=PREFIX).exists():
        return
    uni = Organization.objects.filter(code="DEMO-UNI-2").first()
    ent = Organization.objects.filter(code="DEMO-ENT-1").first()
    if uni is None or ent is None:
        out.write("  monitoring demo: DEMO-UNI-2 / DEMO-ENT-1 missing, scenario skipped")
        return
    EnterpriseProfile.objects.get_or_create(
        organization=ent,
        defaults={"size": "small", "industry_code": "3914", "source": "demo", "is_demo": True},
    )
    patents: list[Patent] = []
    for pub, title in _titles(600):
        if len(patents) == 4:
            break
        taken = PatentHolder.objects.filter(patent__pub_no=pub[:-1], active=True).exclude(organization=uni)
        if taken.exists() or Deal.objects.filter(deal_patents__patent__pub_no=pub[:-1]).exists():
            continue  # held by another demo institution, or in a deal already: the scenario needs its own
        p, _ = Patent.objects.get_or_create(
            pub_no=pub[:-1],
            defaults={
                "pub_kind": pub[-1],
                "patent_type": PatentType.INVENTION,
                "title": title,
                "legal_status": "valid",
                "patentees": [uni.name],
                "is_demo": True,
                "source": "reference/patents/cn_patent_titles_ipc_lxingy3.csv",
            },
        )
        patents.append(p)
    if len(patents) < 4:
        out.write("  monitoring demo: no four free patents of the university, scenario skipped")
        return
    today = timezone.localdate()
    plan = [
        # (code suffix, kind, holder, counterparty, patent, days ago, amount fen, received fen)
        ("1", DealKind.TRANSFER, uni, ent, patents[0], 300, 20_000_000, 20_000_000),
        ("2", DealKind.TRANSFER, ent, uni, patents[0], 240, 20_000_000, 20_000_000),
        ("3", DealKind.TRANSFER, uni, ent, patents[1], 60, 0, 0),
        ("4", DealKind.LICENCE, uni, ent, patents[2], 250, 80_000_000, 0),
        ("5", DealKind.TRANSFER, uni, ent, patents[3], 20, 5_000_000, 5_000_000),
    ]
    roles = {
        DealKind.TRANSFER: (PartyRole.ASSIGNOR, PartyRole.ASSIGNEE),
        DealKind.LICENCE: (PartyRole.LICENSOR, PartyRole.LICENSEE),
    }
    with transaction.atomic():
        # the university holds the scenario's patents (its name is their 专利权人): deals are recorded by the holder
        rights_holder_add(patent_ids=[p.pk for p in patents], organization=uni, source=HolderSource.IMPORT)
        for suffix, kind, holder, other, patent, ago, amount, received in plan:
            on = today - timedelta(days=ago)
            d = Deal.objects.create(
                code=f"{PREFIX}{suffix}",
                kind=kind,
                title=f"（演示）{patent.title[:40]}",
                institution=holder,
                state=DealState.FILED,
                contract_date=on,
                contract_amount_fen=amount,
                received_fen=received,
                source=DealSource.DEMO,
                is_demo=True,
            )
            DealParty.objects.create(deal=d, organization=holder, role=roles[kind][0])
            DealParty.objects.create(deal=d, organization=other, role=roles[kind][1])
            DealPatent.objects.create(deal=d, patent=patent)
            filing = (
                FilingKind.LICENCE_FILING if kind == DealKind.LICENCE else FilingKind.TRANSFER_REGISTRATION
            )
            Filing.objects.create(deal=d, kind=filing, filed_on=on + timedelta(days=10))
            if kind == DealKind.TRANSFER and suffix in ("1", "2"):  # A→B→A: both registered and completed
                rights_transfer_complete(
                    deal_id=d.pk,
                    deal_code=d.code,
                    seller=holder,
                    patent_ids=[patent.pk],
                    buyers=[other],
                    effective=on + timedelta(days=10),
                )
                Deal.objects.filter(pk=d.pk).update(state=DealState.COMPLETED)
            else:
                rights_grant(
                    organization=holder,
                    patent_ids=[patent.pk],
                    kind=GrantKind.TRANSFER if kind == DealKind.TRANSFER else GrantKind.ORDINARY,
                    deal_id=d.pk,
                    deal_code=d.code,
                )
    out.write("  monitoring demo: 5 scenario deals")


def load(out: Any) -> None:
    office_user = User.objects.filter(username="demo_office").first()
    if office_user is None:
        out.write("  monitoring demo: demo_office missing (run the accounts demo first)")
        return
    _scenario(out)
    info = aggregates_rebuild()
    out.write(f"  aggregates: {info}")
    year = timezone.localdate().year
    for code, preset, name in (
        (f"CQ-GXQ-{year}", "cq-gxq", f"重庆高新区专利转化专项计划绩效目标（{year}，演示）"),
        (f"JL-GROWTH-{year}", "jilin", f"专利转化年度增长目标（参照吉林方案，{year}，演示）"),
    ):
        programme = KpiProgramme.objects.filter(code=code).first()
        if programme is None:
            programme = kpi.programme_create(
                actor=office_user,
                code=code,
                name=name,
                start=date(year, 1, 1),
                end=date(year, 12, 31),
                preset=preset,
                is_demo=True,
            )
        kpi.snapshot_take(programme=programme, period=period_of(timezone.localdate()), actor=office_user)
    run, cases = anomalies_run(actor=office_user)
    out.write(f"  anomalies: {run.deals_scanned} deals scanned, {len(cases)} cases")
    from panhuo.monitoring.survey import survey_submit

    for username, score in (("demo_institution_admin", 5), ("demo_college_admin", 4), ("demo_enterprise", 3)):
        user = User.objects.filter(username=username).first()
        if user and not SurveyResponse.objects.filter(respondent=user, year=year).exists():
            try:
                survey_submit(actor=user, score=score, comment="演示答卷", is_demo=True)
            except ApplicationError:
                pass
    ent = Organization.objects.filter(code="DEMO-ENT-1", type=OrganizationType.ENTERPRISE).first()
    if ent and not ProductFiling.objects.filter(enterprise=ent, is_demo=True).exists():
        for i, product in enumerate(("智能巡检机器人（演示）", "高精度流量计（演示）")):
            ProductFiling.objects.create(
                enterprise=ent, product=product, filed_on=date(year, 1 + i, 15), is_demo=True
            )
    if not SubsidyBatch.objects.filter(office=office_user.organization, is_demo=True).exists():
        batch_create(
            actor=office_user,
            scheme_code="cq-gxq-transfer-licence",
            start=date(year - 1, 1, 1),
            end=timezone.localdate(),
            name=f"{year} 年专利转让许可绩效奖补（演示）",
            is_demo=True,
        )
    out.write("  monitoring demo: programmes, snapshot, survey, product filings, subsidy batch")
