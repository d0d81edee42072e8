"""Visibility: one place decides who sees which inventory record."""

from __future__ import annotations

import pytest

from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import NotFound
from panhuo.patents import selectors
from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import InventoryState, PatentIndustry
from panhuo.patents.services import inventory_approve, inventory_fill, inventory_submit
from panhuo.patents.tests.conftest import FULL_FILL

pytestmark = pytest.mark.django_db


def pool_it(record, inventor, college_admin, institution_admin):
    inventory_fill(actor=inventor, record=record, changes=FULL_FILL)
    inventory_submit(actor=inventor, record=record)
    inventory_approve(actor=college_admin, record=record)
    inventory_approve(actor=institution_admin, record=record)


@pytest.fixture
def me_record(university, me, make_patent):
    return inventory_open(organization=university, patent=make_patent(title="机械学院专利"), college=me)


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


def test_staff_inventor_and_outsiders(
    record,
    me_record,
    other_record,
    inventor,
    college_admin,
    institution_admin,
    enterprise_user,
    office_user,
    other_admin,
):
    assert ids(selectors.inventory_own(institution_admin)) == sorted([record.pk, me_record.pk])
    assert ids(selectors.inventory_own(college_admin)) == [record.pk]
    assert ids(selectors.inventory_own(inventor)) == [record.pk]
    assert ids(selectors.inventory_own(other_admin)) == [other_record.pk]
    for outsider in (enterprise_user, office_user):
        assert ids(selectors.inventory_visible(outsider)) == []
        assert ids(selectors.inventory_list_base(outsider)) == []
    for user in (enterprise_user, office_user, other_admin, inventor):
        with pytest.raises(NotFound):
            selectors.inventory_get(user, me_record.pk if user is inventor else record.pk)
        with pytest.raises(NotFound):
            selectors.patent_get(user, me_record.patent_id if user is inventor else record.patent_id)


def test_pooled_records_become_public_with_whitelist(
    record, other_record, inventor, college_admin, institution_admin, enterprise_user, other_admin
):
    pool_it(record, inventor, college_admin, institution_admin)
    assert ids(selectors.inventory_list_base(enterprise_user)) == [record.pk]
    assert ids(selectors.inventory_pool(other_admin)) == [record.pk]
    # other tenant's staff list still shows only their own inventory, but may open the pooled record
    assert ids(selectors.inventory_list_base(other_admin)) == [other_record.pk]
    assert selectors.inventory_get(other_admin, record.pk) == record
    public = selectors.record_public_view(enterprise_user, record)
    assert public["contact_phone"] == "138****1234"
    for private in ("first_inventor", "fiscal_funded", "contact_email", "return_reason", "proxy_filing"):
        assert private not in public
    own = selectors.record_public_view(institution_admin, record)
    assert own["contact_phone"] == "13812341234" and own["first_inventor"] == "张三"
    assert list(selectors.review_history(enterprise_user, record)) == []
    assert len(selectors.review_history(institution_admin, record)) == 4


def test_search_filters(record, me_record, institution_admin, cs, make_patent, university):
    utility = inventory_open(
        organization=university,
        patent=make_patent(
            title="一种座椅", abstract="实用新型座椅", patent_type="utility", ipc_section="A", ipc_class="A47"
        ),
    )
    PatentIndustry.objects.create(patent=record.patent, scheme="gbt4754", code="C3841", name="锂离子电池制造")
    inventory_fill(actor=institution_admin, record=record, changes={"conversion_modes": ["open_licence"]})

    def find(**kw):
        return ids(selectors.inventory_search(institution_admin, selectors.filters_from(kw)))

    assert find() == sorted([record.pk, me_record.pk, utility.pk])
    assert find(q="极片") == [record.pk]  # title
    assert find(q="机器视觉") == [record.pk]  # abstract
    assert find(q="座椅") == [utility.pk]
    assert find(college=str(cs.pk)) == [record.pk]
    assert find(ipc_section="a") == [utility.pk]
    assert find(ipc_class="H01") == sorted([record.pk, me_record.pk])
    assert find(patent_type="utility") == [utility.pk]
    assert find(state="draft") == [record.pk]
    assert find(state="unfiled") == sorted([me_record.pk, utility.pk])
    assert find(conversion_mode="open_licence") == [record.pk]
    assert find(conversion_mode="licence") == []  # "open_licence" must not match "licence"
    assert find(industry_scheme="gbt4754", industry_code="C38") == [record.pk]
    assert find(industry_scheme="sei", industry_code="C38") == []
    assert find(organization="junk", college="x") == sorted([record.pk, me_record.pk, utility.pk])


def test_coverage_rates_and_region(
    record,
    me_record,
    inventor,
    college_admin,
    institution_admin,
    office_user,
    make_org,
    make_user,
    make_patent,
):
    pool_it(record, inventor, college_admin, institution_admin)
    rows = selectors.coverage_by_organization(institution_admin)
    assert [(r.label, r.total, r.filed, r.pooled, r.filed_rate, r.pooled_rate) for r in rows] == [
        ("甲大学", 2, 1, 1, 50.0, 50.0)
    ]
    colleges = selectors.coverage_by_college(institution_admin, record.organization_id)
    assert [(r.label, r.total, r.filed, r.pooled) for r in colleges] == [
        ("计算机学院", 1, 1, 1),
        ("机械学院", 1, 0, 0),
    ]
    assert [r.label for r in selectors.coverage_by_college(college_admin, record.organization_id)] == [
        "计算机学院"
    ]
    # office: institutions inside its region only (甲大学 has no region code)
    cq = make_org(OrganizationType.UNIVERSITY, code="CQU", name="重庆某大学", region_code="500106")
    sc = make_org(OrganizationType.UNIVERSITY, code="SCU", name="四川某大学", region_code="510000")
    inventory_open(organization=cq, patent=make_patent())
    inventory_open(organization=sc, patent=make_patent())
    assert [(r.label, r.total) for r in selectors.coverage_by_organization(office_user)] == [
        ("重庆某大学", 1)
    ]
    with pytest.raises(NotFound):
        selectors.coverage_by_college(office_user, sc.pk)
    with pytest.raises(NotFound):
        selectors.coverage_by_college(institution_admin, cq.pk)
    assert (
        selectors.coverage_by_organization(
            make_user(Role.ENTERPRISE_USER, make_org(OrganizationType.ENTERPRISE))
        )
        == []
    )


def test_patent_by_key(record, inventor, enterprise_user):
    key = record.patent.key
    assert selectors.patent_get_by_key(inventor, key) == record.patent
    assert selectors.patent_get_by_key(inventor, key.lower()) == record.patent
    with pytest.raises(NotFound):
        selectors.patent_get_by_key(enterprise_user, key)
    assert record.state == InventoryState.UNFILED
