"""服务机构 brokering: proposals answered by each side once, services with every error at once, brokered deals seen
by their broker only; 技术经理人 profiles public only with consent, the certificate number never public."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.community import selectors
from panhuo.community.models import BrokerService, Decision, MatchProposal, TechManager
from panhuo.community.services import brokers, events

pytestmark = pytest.mark.django_db


def _propose(agency_user, need, patent="管廊巡检机器人") -> MatchProposal:
    return brokers.proposal_create(
        actor=agency_user, data=brokers.ProposalInput(patent=patent, need_id=need.pk, reason="方案吻合")
    )


def test_proposal_both_sides_answer_once(
    agency_user, need, pooled_patent, institution_admin, enterprise_user, other_agency_user, other_admin
):
    p = _propose(agency_user, need)
    assert (p.holder_id, p.enterprise_id) == (
        pooled_patent.inventory_records.get().organization_id,
        need.enterprise_id,
    )
    for viewer in (agency_user, institution_admin, enterprise_user):
        assert list(selectors.proposals_visible(viewer)) == [p]
    for outsider in (other_agency_user, other_admin):
        assert list(selectors.proposals_visible(outsider)) == []
        with pytest.raises(NotFound):
            brokers.proposal_decide(actor=outsider, proposal_id=p.pk, accept=True)
    with pytest.raises(PermissionRefused):
        brokers.proposal_decide(actor=agency_user, proposal_id=p.pk, accept=True)
    brokers.proposal_decide(actor=institution_admin, proposal_id=p.pk, accept=True, note="愿意许可")
    with pytest.raises(ApplicationError):
        brokers.proposal_decide(actor=institution_admin, proposal_id=p.pk, accept=False)
    p = brokers.proposal_decide(actor=enterprise_user, proposal_id=p.pk, accept=False, note="预算不足")
    assert (p.holder_decision, p.enterprise_decision, p.outcome) == (
        Decision.ACCEPTED,
        Decision.DECLINED,
        "未达成",
    )


def test_proposal_refusals_at_once(agency_user, enterprise_user, private_patent, need):
    with pytest.raises(PermissionRefused):
        _propose(enterprise_user, need)
    with pytest.raises(ApplicationError) as caught:
        brokers.proposal_create(
            actor=agency_user, data=brokers.ProposalInput(patent="未入库的传感器", need_id=None, reason="")
        )
    assert [e["field"] for e in caught.value.extra["errors"]] == ["patent", "need", "reason"]
    assert MatchProposal.objects.count() == 0


def test_services_and_brokered_deals(
    agency_user, other_agency_user, agency, institution_admin, deal, need, pooled_patent
):
    p = _propose(agency_user, need)
    with pytest.raises(ApplicationError) as caught:
        brokers.service_record(
            actor=agency_user,
            data=brokers.ServiceInput(
                service_type="magic",
                started_on=date(2026, 3, 1),
                ended_on=date(2026, 2, 1),
                fee_yuan="-3",
                deal_code="JY-C-1",
            ),
        )
    assert [e["field"] for e in caught.value.extra["errors"]] == [
        "service_type",
        "ended_on",
        "fee",
        "deal_code",
    ]
    with pytest.raises(ApplicationError) as caught:  # another agency's proposal
        brokers.service_record(
            actor=other_agency_user,
            data=brokers.ServiceInput(
                service_type="brokering", started_on=date(2026, 3, 1), proposal_id=p.pk
            ),
        )
    assert caught.value.extra["errors"][0]["field"] == "proposal"
    assert BrokerService.objects.count() == 0
    events.deal_origin_record(actor=institution_admin, deal_id=deal.pk, broker_id=agency.pk, proposal_id=p.pk)
    s = brokers.service_record(
        actor=agency_user,
        data=brokers.ServiceInput(
            service_type="brokering",
            started_on=date(2026, 3, 1),
            fee_yuan="12,000",
            proposal_id=p.pk,
            deal_code="JY-C-1",
        ),
    )
    assert (s.fee_fen, s.deal_id) == (1_200_000, deal.pk)
    assert list(selectors.brokered_deals(other_agency_user)) == []
    c = Client()
    c.force_login(agency_user)
    page = c.get("/community/brokering/").content.decode()
    assert "JY-C-1" in page and "12,000.00" in page and "交易撮合" in page
    o = Client()
    o.force_login(other_agency_user)
    assert "JY-C-1" not in o.get("/community/brokering/").content.decode()


def test_manager_profile_public_only_with_consent(
    agency_user, institution_admin, deal, agency, enterprise_user
):
    with pytest.raises(ApplicationError) as caught:
        brokers.manager_save(
            actor=agency_user, data=brokers.ManagerInput(name="", qualification="", fields_text="")
        )
    assert [e["field"] for e in caught.value.extra["errors"]] == ["name", "qualification", "fields_text"]
    m = brokers.manager_save(
        actor=agency_user,
        data=brokers.ManagerInput(
            name="周经纪",
            qualification="技术经理人（中级）",
            fields_text="智能制造",
            certificate_no="JSJL-0137",
        ),
    )
    events.deal_origin_record(actor=institution_admin, deal_id=deal.pk, broker_id=agency.pk, manager_id=m.pk)
    anon = Client()
    assert anon.get(f"/public/managers/{m.pk}/").status_code == 404
    assert "周经纪" not in anon.get("/public/managers/").content.decode()
    e = Client()
    e.force_login(enterprise_user)  # another organisation: not without consent
    assert e.get(f"/community/managers/{m.pk}/").status_code == 404
    brokers.manager_save(
        actor=agency_user,
        data=brokers.ManagerInput(
            name="周经纪",
            qualification="技术经理人（中级）",
            fields_text="智能制造",
            certificate_no="JSJL-0137",
            public_consent=True,
        ),
    )
    assert TechManager.objects.count() == 1
    page = anon.get(f"/public/managers/{m.pk}/").content.decode()
    assert "撮合成交 1 笔" in page and "JSJL-0137" not in page and "JY-C-1" not in page
    # a signed-in party of the deal sees which deal; the certificate number stays the owner's
    inside = e.get(f"/community/managers/{m.pk}/").content.decode()
    assert "JY-C-1 巡检机器人许可" in inside and "JSJL-0137" not in inside
