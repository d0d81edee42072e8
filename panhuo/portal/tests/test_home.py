"""Home page per role."""

from __future__ import annotations

import pytest

from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import Patent

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_record(university, inventor):
    patent = Patent.objects.create(
        pub_no="CN100000001", pub_kind="B", patent_type="invention", title="一种首页测试专利"
    )
    return inventory_open(
        organization=university,
        patent=patent,
        college=university.colleges.get(code="CS"),
        inventor_users=[inventor],
    )


def test_inventor_home_lists_patents_to_file(client, inventor, own_record):
    client.force_login(inventor)
    html = client.get("/").content.decode()
    assert 'id="home-inventory"' in html and "一种首页测试专利" in html
    assert 'id="home-queue"' not in html and 'id="home-pool"' not in html
    assert "专利清单" in html and "审核队列" not in html


def test_reviewer_home_has_queue_and_coverage(client, institution_admin, own_record):
    client.force_login(institution_admin)
    html = client.get("/").content.decode()
    assert 'id="home-queue"' in html and 'id="home-coverage"' in html and "甲大学" in html


def test_enterprise_home_shows_pool_not_private_records(client, enterprise_user, own_record):
    client.force_login(enterprise_user)
    html = client.get("/").content.decode()
    assert 'id="home-pool"' in html and "一种首页测试专利" not in html and 'id="home-inventory"' not in html
