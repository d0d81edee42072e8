"""Browser: every community page, filled by the demo loader, on a 390 px phone for each role that sees it (and the
public pages signed out): no error response, no raw identifier, nothing wider than the screen."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.utils import timezone

from panhuo.accounts.models import OrganizationType, Role
from panhuo.community import demo
from panhuo.community.models import CaseStudy, Event, MatchProposal, TechManager
from panhuo.deals.models import Deal, DealKind, DealParty, DealPatent, DealState, PartyRole
from panhuo.demand.models import Need
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentType
from tests.browser.test_journeys import PHONE, Screen, browser, screens

__all__ = ["browser", "screens"]

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(university, make_org, make_user, college_admin, institution_admin, enterprise_user, office_user):
    university.region_code = "500107"
    university.save()
    enterprise = enterprise_user.organization
    enterprise.region_code = "500112"
    enterprise.save()
    agency_user = make_user(
        Role.AGENCY_USER, make_org(OrganizationType.AGENCY, code="AG", name="示范服务机构")
    )
    people = {
        "demo_college_admin": (college_admin, "李秘书"),
        "demo_institution_admin": (institution_admin, "陈老师"),
        "demo_office": (office_user, "孙科长"),
        "demo_agency": (agency_user, "周经纪"),
        "demo_enterprise": (enterprise_user, "赵经理"),
    }
    for username, (user, name) in people.items():
        user.username, user.display_name = username, name
        user.save()
    patents = []
    for n, title in enumerate(["一种管廊巡检机器人", "一种光伏组件清洁机器人", "一种储能电池热管理系统"]):
        p = Patent.objects.create(
            pub_no=f"CN21574989{n}",
            pub_kind="U",
            patent_type=PatentType.UTILITY,
            title=title,
            ipc_main="B25J 11/00",
        )
        InventoryRecord.objects.create(
            organization=university, patent=p, state=InventoryState.POOLED, pooled_at=timezone.now()
        )
        patents.append(p)
    Need.objects.create(
        enterprise=enterprise, title="管廊巡检自动化", description="需要自动巡检方案", wanted_mode="licence",
        published_at=timezone.now(),
    )  # fmt: skip
    deal = Deal.objects.create(
        code="JY-DEMO-1", kind=DealKind.LICENCE, title="巡检机器人普通许可", institution=university, is_demo=True,
        state=DealState.PERFORMING, contract_date=date(timezone.localdate().year, 2, 1), contract_amount_fen=30_000_000,
    )  # fmt: skip
    DealParty.objects.create(deal=deal, organization=university, role=PartyRole.LICENSOR)
    DealParty.objects.create(deal=deal, organization=enterprise, role=PartyRole.LICENSEE)
    DealPatent.objects.create(deal=deal, patent=patents[0])
    demo.load(StringIO())
    assert CaseStudy.objects.count() == 4 and MatchProposal.objects.exists()
    return {name: user for name, (user, _) in people.items()}


def test_every_community_page_on_a_phone(screens, world):
    case = CaseStudy.objects.filter(state="published").first()
    returned = CaseStudy.objects.get(state="returned")
    event = Event.objects.get(kind="matchmaking")
    roadshow = Event.objects.get(kind="roadshow")  # upcoming, organised by the office: its edit form
    proposal = MatchProposal.objects.filter(holder_decision="accepted").first()
    manager = TechManager.objects.get(public_consent=True)
    year = timezone.localdate().year
    common = [
        "/community/cases/",
        f"/community/cases/{case.pk}/",
        "/community/events/",
        f"/community/events/{event.pk}/",
        "/community/managers/",
        f"/community/managers/{manager.pk}/",
        "/community/managers/me/",
    ]
    pages = {
        "demo_college_admin": [
            *common, f"/community/cases/{returned.pk}/", f"/community/cases/{returned.pk}/edit/", "/community/cases/new/",
            "/community/brokering/", f"/community/brokering/proposals/{proposal.pk}/", "/community/origins/",
            f"/community/origins/{Deal.objects.get().pk}/", "/community/events/new/",
            f"/community/events/stats/?year={year}",
        ],
        "demo_office": [
            *common, "/community/events/new/", f"/community/events/stats/?year={year}", "/community/events/attendance/",
            f"/community/events/{roadshow.pk}/", f"/community/events/{roadshow.pk}/edit/", f"/monitoring/?period={year}",
        ],
        "demo_agency": [
            *common, "/community/brokering/", "/community/brokering/proposals/new/", "/community/brokering/services/new/",
            f"/community/brokering/proposals/{proposal.pk}/",
        ],
        "demo_enterprise": [*common, "/community/brokering/", f"/community/brokering/proposals/{proposal.pk}/"],
    }  # fmt: skip
    for username, paths in pages.items():
        screen: Screen = screens(PHONE, username)
        for path in paths:
            screen.visit(path)
            assert "服务器错误" not in screen.page.inner_text("body"), path
        screen.close()
    anon: Screen = screens(PHONE, "demo_enterprise")
    anon.page.click("#logout")
    anon.page.wait_for_load_state()
    for path in ("/public/", "/public/cases/", f"/public/cases/{case.pk}/", "/public/managers/",
                 f"/public/managers/{manager.pk}/", "/public/events/"):  # fmt: skip
        anon.visit(path)
    anon.close()
