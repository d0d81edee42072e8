"""Counterparties are matched only by a verified 统一社会信用代码 and never edited by a deal.

On f61d24e naming a counterparty by credit code wrote that code onto the organization found by name, and a
name alone matched the oldest organization of that name: an enterprise that renamed itself to another company's
name read the deals recorded for that company. Each assertion below failed there.
"""

from __future__ import annotations

import pytest

from panhuo.accounts.models import Organization, Role
from panhuo.deals.models import DealKind, PartyRole
from panhuo.deals.selectors import deal_list
from panhuo.deals.services import deal_create, party_organization
from panhuo.demand.services import enterprise_profile_save

pytestmark = pytest.mark.django_db


def test_a_deal_never_edits_the_organization_it_names(make_org):
    company = make_org("enterprise", code="ENT-NOCODE", name="无代码公司")
    party = party_organization(name="无代码公司", credit_code="91500107MA5U7Q0K2L")
    company.refresh_from_db()
    assert company.credit_code == "" and party != company
    assert (party.verified, party.credit_code) == (False, "91500107MA5U7Q0K2L")


def test_unverified_holder_of_a_code_is_not_matched(make_org):
    fake = make_org("enterprise", code="ENT-FAKE", name="冒用公司", credit_code="91500107MA5U7Q0K2L")
    Organization.objects.filter(pk=fake.pk).update(verified=False)
    party = party_organization(name="真公司", credit_code="91500107MA5U7Q0K2L")
    assert party != fake and party.name == "真公司" and party.credit_code == ""


def test_a_renamed_enterprise_cannot_read_another_companys_deals(
    institution_admin, patent, make_org, make_user
):
    intruder = make_org("enterprise", code="ENT-INTR", name="入侵者公司")
    intruder_user = make_user(Role.ENTERPRISE_USER, intruder)
    enterprise_profile_save(
        actor=intruder_user,
        name="真实受让公司",
        credit_code="91500107MA5U7Q0K2L",
        region_code="500107",
        industry_code="",
        industry_confirmed=False,
        size="small",
        qualifications=[],
        business_scope="",
        technical_focus="",
        contact_name="某人",
        contact_phone="13800000000",
    )
    intruder.refresh_from_db()
    assert intruder.verified is False  # a self-declared credit code is not a verified identifier
    party = party_organization(name="真实受让公司", credit_code="91500107MA5U7Q0K2L")
    deal = deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="许可给真实受让公司",
        patents=[patent],
        counterparties=[(party, PartyRole.LICENSEE)],
        licence_type="ordinary",
    )
    by_name = deal_create(
        actor=institution_admin,
        kind=DealKind.LICENCE,
        title="只写了名称的许可",
        patents=[patent],
        counterparties=[(party_organization(name="真实受让公司"), PartyRole.LICENSEE)],
        licence_type="ordinary",
    )
    assert party.pk != intruder.pk
    visible = [d.code for d in deal_list(intruder_user)]
    assert deal.code not in visible and by_name.code not in visible
