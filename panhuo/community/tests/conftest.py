"""Community fixtures: an agency, a pooled patent, an open need, a signed deal, offices in and out of the region."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import OrganizationType, Role
from panhuo.community.services import events
from panhuo.deals.models import Deal, DealKind, DealParty, DealPatent, DealState, PartyRole
from panhuo.demand.models import Need
from panhuo.patents.models import InventoryRecord, InventoryState, Patent


@pytest.fixture
def agency(make_org):
    return make_org(OrganizationType.AGENCY, code="AG-1", name="甲知识产权服务有限公司", region_code="500107")


@pytest.fixture
def agency_user(agency, make_user):
    return make_user(Role.AGENCY_USER, agency, display_name="周经纪")


@pytest.fixture
def other_agency_user(make_org, make_user):
    return make_user(Role.AGENCY_USER, make_org(OrganizationType.AGENCY, code="AG-2", name="乙服务机构"))


@pytest.fixture
def other_admin(other_university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, other_university)


@pytest.fixture
def beijing_office_user(make_org, make_user):
    office = make_org(
        OrganizationType.IP_OFFICE,
        code="OFFICE-BJ",
        name="北京市知识产权局",
        region_code="110000",
        office_level="province",
    )
    return make_user(Role.OFFICE_OFFICIAL, office)


@pytest.fixture
def chongqing(university):
    university.region_code = "500107"
    university.save()
    return university


def _patent(n: int, title: str) -> Patent:
    return Patent.objects.create(
        app_no=f"2024100000{n:02d}.{check_character(f'2024100000{n:02d}')}",
        pub_no=f"CN1000000{n}A",
        pub_kind="A",
        patent_type="invention",
        title=title,
        ipc_main="B25J11/00",
        ipc_codes=["B25J11/00"],
        ipc_section="B",
        ipc_class="B25",
        ipc_subclass="B25J",
    )


@pytest.fixture
def pooled_patent(chongqing):
    p = _patent(1, "一种管廊巡检机器人")
    InventoryRecord.objects.create(organization=chongqing, patent=p, state=InventoryState.POOLED)
    return p


@pytest.fixture
def private_patent(chongqing):
    p = _patent(2, "一种未入库的传感器")
    InventoryRecord.objects.create(organization=chongqing, patent=p, state=InventoryState.DRAFT)
    return p


@pytest.fixture
def need(enterprise):
    return Need.objects.create(
        enterprise=enterprise,
        title="管廊巡检自动化",
        description="需要自动巡检方案",
        wanted_mode="licence",
        published_at=timezone.now(),
    )


@pytest.fixture
def deal(chongqing, enterprise, pooled_patent):
    d = Deal.objects.create(
        code="JY-C-1",
        kind=DealKind.LICENCE,
        title="巡检机器人许可",
        institution=chongqing,
        state=DealState.PERFORMING,
        contract_date=date(timezone.localdate().year, 1, 15),
        contract_amount_fen=30_000_000,
    )
    DealParty.objects.create(deal=d, organization=chongqing, role=PartyRole.LICENSOR)
    DealParty.objects.create(deal=d, organization=enterprise, role=PartyRole.LICENSEE)
    DealPatent.objects.create(deal=d, patent=pooled_patent)
    return d


def event_input(**kw) -> events.EventInput:
    now = timezone.now()
    base = {
        "kind": "matchmaking",
        "title": "智能制造专场对接会",
        "starts_at": now + timedelta(days=10),
        "ends_at": now + timedelta(days=10, hours=3),
        "place": "科技会展中心",
        "capacity": 2,
        "registration_closes_at": now + timedelta(days=9),
    }
    base.update(kw)
    return events.EventInput(**base)


@pytest.fixture
def office_event(office_user):
    return events.event_create(actor=office_user, data=event_input())
