"""The deal form: every error at once next to its field, the input kept; patents by any number; kind sections."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panhuo.accounts.models import Organization
from panhuo.deals.models import Deal, OpenLicenceDeclaration

pytestmark = pytest.mark.django_db


def test_all_errors_after_one_submit_and_nothing_created(client, institution_admin, patent):
    client.force_login(institution_admin)
    organizations = Organization.objects.count()
    r = client.post(
        reverse("deals:new"),
        {
            "kind": "licence",
            "title": "许可给乙公司",
            "patents": "CN215749890U",
            "party_name": "乙公司",
            "party_credit_code": "91350100M000100Y44",
            "contract_amount": "1.234,5",
            "term_start": "2025-13-01",
        },
    )
    page = r.content.decode()
    assert r.status_code == 400
    for message in (
        "没有找到号码为 CN215749890U 的专利",
        "校验位错误",
        "金额格式不正确",
        "日期格式不正确",
        "请选择许可类型",
    ):
        assert message in page, message
    assert 'value="许可给乙公司"' in page and 'value="乙公司"' in page
    assert Deal.objects.count() == 0 and Organization.objects.count() == organizations


def test_a_publication_number_names_the_patent(client, institution_admin, make_patent):
    utility = make_patent(app_no=None, pub_no="CN215749890", pub_kind="U", grant_no="CN215749890U")
    client.force_login(institution_admin)
    r = client.post(
        reverse("deals:new"),
        {"kind": "transfer", "title": "转让", "patents": "cn 215749890 u", "contract_amount": "10"},
    )
    assert r.status_code == 302 and list(Deal.objects.get().patents.all()) == [utility]


def test_kind_sections_are_marked_for_the_page_to_show_only_the_chosen_one(client, institution_admin):
    client.force_login(institution_admin)
    page = client.get(reverse("deals:new")).content.decode()
    assert (
        'data-section="licence"' in page
        and 'data-section="equity"' in page
        and 'data-section="pledge"' in page
    )


def test_open_licence_form_keeps_input_and_takes_a_publication_number(client, institution_admin, make_patent):
    make_patent(
        app_no=None, pub_no="CN215749890", pub_kind="U", grant_no="CN215749890U", patent_type="utility"
    )
    client.force_login(institution_admin)
    r = client.post(
        reverse("deals:open-licence-declare"),
        {
            "patent": "CN215749890U",
            "payment_method": "one_off",
            "fixed_fee": "abc",
            "term_start": "",
            "term_end": "",
        },
    )
    page = r.content.decode()
    assert r.status_code == 400 and "金额格式不正确" in page and "请填写日期" in page
    assert 'value="CN215749890U"' in page and OpenLicenceDeclaration.objects.count() == 0
