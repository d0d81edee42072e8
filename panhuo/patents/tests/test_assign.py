"""Assigning records to colleges and inventor accounts (by hand and by inventor name)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.accounts.models import Role
from panhuo.common.errors import NotFound, PermissionRefused
from panhuo.patents.assignment import inventory_autoassign, inventory_open
from panhuo.patents.models import InventoryRecord

pytestmark = pytest.mark.django_db


def test_autoassign_links_by_name_and_sets_first_inventor_college(
    university, me, cs, make_user, make_patent, institution_admin, other_university
):
    wang = make_user(Role.INVENTOR, university, college=me, display_name="王五")
    li = make_user(Role.INVENTOR, university, college=cs, display_name="李四")
    make_user(Role.INVENTOR, other_university, display_name="王五")  # same name, other tenant: never linked
    first = inventory_open(organization=university, patent=make_patent(inventors=["王五", "李四", "赵六"]))
    second = inventory_open(organization=university, patent=make_patent(inventors=["李四"]), college=me)
    result = inventory_autoassign(organization=university, actor=institution_admin)
    assert result == {"linked": 3, "colleges": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert set(first.inventor_users.all()) == {wang, li} and first.college == me
    assert list(second.inventor_users.all()) == [li] and second.college == me  # kept its college
    assert inventory_autoassign(organization=university, actor=institution_admin) == {
        "linked": 0,
        "colleges": 0,
    }


def test_autoassign_refusals(university, college_admin, other_admin):
    with pytest.raises(PermissionRefused):
        inventory_autoassign(organization=university, actor=college_admin)
    with pytest.raises(NotFound):
        inventory_autoassign(organization=university, actor=other_admin)


def test_assign_page(client, record, institution_admin, me, make_user, university, other_admin):
    zhao = make_user(Role.INVENTOR, university, display_name="赵六")
    url = reverse("patents:assign", args=[record.pk])
    client.force_login(institution_admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"college": me.pk, "inventor_users": [zhao.pk]})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.college == me and list(record.inventor_users.all()) == [zhao]
    client.force_login(other_admin)
    assert client.get(url).status_code == 404
    assert client.post(url, {"college": ""}).status_code == 404
    assert InventoryRecord.objects.get(pk=record.pk).college == me


def test_autoassign_page(client, institution_admin, college_admin):
    client.force_login(institution_admin)
    response = client.post(reverse("patents:autoassign"))
    assert response.status_code == 302 and response["Location"] == reverse("patents:coverage")
    client.force_login(college_admin)
    assert client.post(reverse("patents:autoassign")).status_code == 403
