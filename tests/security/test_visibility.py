"""The one visibility module: region prefixes, offices without a region, 三员分立 and college scope.

On f61d24e an office created without a region saw the whole country, the system administrator listed every deal
and inventory record nationwide, and a college admin listed another college's drafts: each failed there.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from panhuo.accounts.models import Organization, OrganizationType, Role
from panhuo.accounts.services import college_create, organization_create
from panhuo.accounts.visibility import office_prefix, region_prefix
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.patents.models import InventoryRecord, Patent


def test_region_prefix():
    assert [region_prefix(c) for c in ("500000", "500100", "500107", "", "000000")] == [
        "50",
        "5001",
        "500107",
        "",
        "",
    ]


@pytest.mark.django_db
def test_an_office_without_a_region_is_refused_unless_national(make_user):
    with pytest.raises(ApplicationError) as err:
        organization_create(code="OFF-X", name="无辖区局", type=OrganizationType.IP_OFFICE)
    assert err.value.code == "office_region" and err.value.field == "region_code"
    assert not Organization.objects.filter(code="OFF-X").exists()
    with pytest.raises(CommandError):
        call_command("createorg", "--type", "ip_office", "--code", "OFF-Y", "--name", "无辖区局")
    national = organization_create(
        code="OFF-CN", name="国家知识产权局", type=OrganizationType.IP_OFFICE, office_level="national"
    )
    assert office_prefix(make_user(Role.OFFICE_OFFICIAL, national)) == ""


@pytest.mark.django_db
def test_an_office_stored_without_a_region_sees_nothing(make_user, make_org):
    org = make_org(OrganizationType.IP_OFFICE, region_code="500000", office_level="province")
    Organization.objects.filter(pk=org.pk).update(region_code="")  # stored before the refusal existed
    org.refresh_from_db()
    user = make_user(Role.OFFICE_OFFICIAL, org)
    assert office_prefix(user) is None
    from panhuo.deals.selectors import deals_visible
    from panhuo.patents.selectors import coverage_organizations

    assert list(deals_visible(user)) == [] and list(coverage_organizations(user)) == []


@pytest.mark.django_db
def test_monitoring_drilldowns_keep_admins_out_and_college_admins_in_their_college(
    client, university, college_admin, make_user
):
    cs, me = university.colleges.get(code="CS"), university.colleges.get(code="ME")
    for n, college in ((1, cs), (2, me)):
        patent = Patent.objects.create(app_no=f"20191000000{n}.X", title=f"专利{n}", patent_type="invention")
        InventoryRecord.objects.create(organization=university, patent=patent, college=college, state="draft")
    from panhuo.monitoring.stats import scope_for

    admin = make_user(Role.SYSTEM_ADMIN, None)
    with pytest.raises(PermissionRefused):
        scope_for(admin, drilldown=True)  # the views answer 404 (monitoring views catch ApplicationError)
    assert scope_for(admin).prefix == ""  # national totals stay on the dashboard
    client.force_login(college_admin)
    r = client.get(reverse("monitoring:inventory"), {"state": "draft"})
    assert [rec.college_id for rec in r.context["page"]] == [cs.pk]
    r = client.get(reverse("monitoring:inventory"), {"state": "draft", "college": str(me.pk)})
    assert list(r.context["page"]) == []


@pytest.mark.django_db
def test_college_create_still_requires_a_holder():
    office = organization_create(
        code="OFF-CQ", name="局", type=OrganizationType.IP_OFFICE, region_code="500000"
    )
    with pytest.raises(ApplicationError):
        college_create(organization=office, code="X", name="X")
