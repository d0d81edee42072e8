"""The patent picker: any common spelling of 申请号 / 公开号 / 授权公告号, or title words; only within its scope."""

from __future__ import annotations

import pytest

from panhuo.common.errors import ApplicationError, FieldErrors
from panhuo.patents import picker
from panhuo.patents.models import InventoryRecord, InventoryState, Patent

pytestmark = pytest.mark.django_db


@pytest.fixture
def utility(university):
    """A record that has only a 公开（公告）号, like most real records."""
    patent = Patent.objects.create(
        pub_no="CN215749890",
        pub_kind="U",
        grant_no="CN215749890U",
        patent_type="utility",
        title="一种光伏支架",
    )
    InventoryRecord.objects.create(organization=university, patent=patent, state=InventoryState.POOLED)
    return patent


@pytest.fixture
def invention(university):
    patent = Patent.objects.create(
        app_no="201710601862.3",
        pub_no="CN107423234",
        pub_kind="A",
        patent_type="invention",
        title="一种锂电池极片检测方法",
    )
    InventoryRecord.objects.create(organization=university, patent=patent)
    return patent


@pytest.mark.parametrize(
    "typed",
    ["CN215749890U", "cn 215749890 u", "215749890U", "CN215749890", "ＣＮ２１５７４９８９０Ｕ", "光伏支架"],
)
def test_a_publication_number_in_any_spelling_or_the_title_finds_the_patent(
    institution_admin, utility, typed
):
    assert picker.patent_resolve(institution_admin, typed, scope="own") == utility


@pytest.mark.parametrize(
    "typed", ["201710601862.3", "CN201710601862.3", "ZL 2017 1 0601862.3", "2017106018623", "CN107423234A"]
)
def test_an_application_number_in_any_spelling_finds_the_patent(institution_admin, invention, typed):
    assert picker.patent_resolve(institution_admin, typed, scope="own") == invention


def test_refusals_say_why(institution_admin, invention, utility):
    with pytest.raises(ApplicationError) as bad_check:
        picker.patent_resolve(institution_admin, "201710601862.4", scope="own")
    assert "校验位" in bad_check.value.message_zh and bad_check.value.field == "patents"
    with pytest.raises(ApplicationError) as unknown:
        picker.patent_resolve(institution_admin, "CN999999999A", scope="own")
    assert unknown.value.code == "patent_unknown"
    with pytest.raises(ApplicationError) as ambiguous:
        picker.patent_resolve(institution_admin, "一种", scope="own")
    assert ambiguous.value.code == "patent_ambiguous"


def test_several_patents_report_every_bad_entry(institution_admin, invention, utility):
    found = picker.patents_resolve(institution_admin, "201710601862.3、CN215749890U\n光伏支架", scope="own")
    assert found == [invention, utility]
    with pytest.raises(FieldErrors) as several:
        picker.patents_resolve(institution_admin, "CN1,201710601862.4,光伏支架", scope="own")
    assert len(several.value.errors) == 2


def test_scope_keeps_other_tenants_patents_out(other_admin, enterprise_user, invention, utility):
    with pytest.raises(ApplicationError):
        picker.patent_resolve(other_admin, "201710601862.3", scope="own")
    # an enterprise sees pooled patents only: the pooled utility model, not the unfiled invention
    assert picker.patent_resolve(enterprise_user, "CN215749890U", scope="visible") == utility
    with pytest.raises(ApplicationError):
        picker.patent_resolve(enterprise_user, "201710601862.3", scope="visible")


def test_type_ahead_endpoint_shows_title_holder_and_state(
    client, institution_admin, enterprise_user, invention, utility
):
    client.force_login(institution_admin)
    rows = client.get("/api/patents/pick", {"q": "2157", "scope": "own"}).json()
    assert rows == [
        {
            "patent_id": utility.pk,
            "key": "CN215749890U",
            "number_label": "公开（公告）号",
            "title": "一种光伏支架",
            "holder": "甲大学",
            "state": "已入库",
        }
    ]
    assert [r["key"] for r in client.get("/api/patents/pick", {"q": "极片", "scope": "own"}).json()] == [
        "201710601862.3"
    ]
    client.force_login(enterprise_user)
    assert client.get("/api/patents/pick", {"q": "极片"}).json() == []
    client.logout()
    assert client.get("/api/patents/pick", {"q": "极片"}).status_code == 401
