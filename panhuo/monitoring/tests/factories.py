"""Small builders for monitoring tests: deals are written straight to the deals tables (monitoring only reads)."""

from __future__ import annotations

import itertools
from datetime import date

from panhuo.accounts.models import Organization, OrganizationType
from panhuo.deals.models import (
    Deal,
    DealInventor,
    DealKind,
    DealParty,
    DealPatent,
    DealState,
    Filing,
    PartyRole,
)
from panhuo.demand.models import EnterpriseProfile
from panhuo.monitoring.aggregates import ENTERPRISE_ROLE
from panhuo.patents.models import InventoryRecord, LegalStatus, Patent, PatentIndustry

_seq = itertools.count(1)


def org(
    type: str,
    region: str = "500107",
    *,
    sme: bool | None = None,
    industry: str = "",
    confirmed: bool = True,
    **kw,
) -> Organization:
    n = next(_seq)
    o = Organization.objects.create(
        code=f"T{n}", name=kw.pop("name", f"单位{n}"), type=type, region_code=region, **kw
    )
    if type == OrganizationType.ENTERPRISE:
        EnterpriseProfile.objects.create(
            organization=o,
            size="small" if sme else "large" if sme is not None else "",
            industry_code=industry,
            office_confirmed=confirmed,  # as if listed by the office; False: only self-declared
        )
    return o


def patent(
    *, ptype: str = "invention", valid: bool = True, inventors: list[str] | None = None, industry: str = ""
) -> Patent:
    n = next(_seq)
    p = Patent.objects.create(
        app_no=f"2020{n:08d}.X",
        patent_type=ptype,
        title=f"专利{n}",
        legal_status=LegalStatus.VALID if valid else LegalStatus.LAPSED,
        inventors=inventors or [],
    )
    if industry:
        PatentIndustry.objects.create(patent=p, scheme="gbt4754", code=industry)
    return p


def hold(
    institution: Organization, p: Patent, *, state: str = "pooled", college=None, **kw
) -> InventoryRecord:
    return InventoryRecord.objects.create(
        organization=institution, patent=p, state=state, college=college, **kw
    )


def deal(
    kind: str,
    holder: Organization,
    enterprise: Organization | None,
    patents: list[Patent],
    *,
    on: date = date(2026, 3, 10),
    amount: int = 1_000_000,
    received: int = 0,
    state: str = DealState.SIGNED,
    filings: dict[str, date] | None = None,
    team: list[str] | None = None,
) -> Deal:
    n = next(_seq)
    d = Deal.objects.create(
        code=f"D{n}",
        kind=kind,
        title=f"交易{n}",
        institution=holder,
        state=state,
        contract_date=on,
        contract_amount_fen=amount,
        received_fen=received,
    )
    DealParty.objects.create(
        deal=d,
        organization=holder,
        role={
            DealKind.TRANSFER: PartyRole.ASSIGNOR,
            DealKind.LICENCE: PartyRole.LICENSOR,
            DealKind.OPEN_LICENCE: PartyRole.LICENSOR,
            DealKind.EQUITY: PartyRole.INVESTOR,
            DealKind.PLEDGE: PartyRole.PLEDGOR,
        }.get(kind, PartyRole.IMPLEMENTER),
    )
    if enterprise is not None:
        role = ENTERPRISE_ROLE.get(kind, PartyRole.PLEDGEE)
        DealParty.objects.create(deal=d, organization=enterprise, role=role)
    for p in patents:
        DealPatent.objects.create(deal=d, patent=p)
    for kind_, filed_on in (filings or {}).items():
        Filing.objects.create(deal=d, kind=kind_, filed_on=filed_on)
    for name in team or []:
        DealInventor.objects.create(deal=d, name=name, share_bp=10000 // len(team or [1]))
    return d
