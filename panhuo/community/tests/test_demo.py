from __future__ import annotations

from io import StringIO

import pytest

from panhuo.community import demo
from panhuo.community.models import (
    CaseState,
    CaseStudy,
    DealOrigin,
    Event,
    EventRegistration,
    MatchProposal,
    TechManager,
)

pytestmark = pytest.mark.django_db


def test_demo_fills_every_page_and_is_idempotent(
    college_admin, institution_admin, office_user, agency_user, enterprise_user, deal, need, pooled_patent
):
    for user, name in (
        (college_admin, "demo_college_admin"),
        (institution_admin, "demo_institution_admin"),
        (office_user, "demo_office"),
        (agency_user, "demo_agency"),
        (enterprise_user, "demo_enterprise"),
    ):
        user.username = name
        user.save()
    deal.is_demo = True
    deal.save()
    need.enterprise.region_code = "500107"  # the Chongqing office presents needs of its region
    need.enterprise.save()
    demo.load(StringIO())
    states = sorted(CaseStudy.objects.values_list("state", flat=True))
    assert states == sorted([CaseState.PUBLISHED, CaseState.PUBLISHED, CaseState.RETURNED, CaseState.DRAFT])
    assert all(CaseStudy.objects.values_list("is_demo", flat=True))
    assert Event.objects.count() == 3 and EventRegistration.objects.filter(attended=True).count() == 3
    assert MatchProposal.objects.get().outcome == "双方接受"
    origin = DealOrigin.objects.get()
    assert (origin.deal, origin.broker_id) == (deal, agency_user.organization_id)
    assert TechManager.objects.filter(public_consent=True).count() == 1
    demo.load(StringIO())
    assert CaseStudy.objects.count() == 4 and Event.objects.count() == 3
