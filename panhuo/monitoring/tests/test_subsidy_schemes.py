"""Subsidy schemes as data: versions, batches that record and keep their version, refusals, all errors at once."""

from __future__ import annotations

import copy
import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from engine.programmes import presets
from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import DealKind
from panhuo.monitoring import subsidies
from panhuo.monitoring.models import SubsidyHold
from panhuo.programmes import selectors, services
from panhuo.programmes.models import SubsidyScheme, SubsidySchemeVersion

from .factories import deal, hold, org, patent

pytestmark = pytest.mark.django_db
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def cq(make_user):
    office = org(OrganizationType.IP_OFFICE, "500000", name="重庆市知识产权局")
    sh_office = org(OrganizationType.IP_OFFICE, "310000", name="上海市知识产权局")
    uni = org(OrganizationType.UNIVERSITY, "500107", name="重庆甲大学")
    sme = org(OrganizationType.ENTERPRISE, "500107", sme=True, name="渝小企")
    p = patent()
    hold(uni, p)
    transfer = deal(
        DealKind.TRANSFER, uni, sme, [p], amount=100_000_00, received=100_000_00,
        filings={"transfer_reg": date(2026, 1, 20)},
    )  # fmt: skip
    return {
        "user": make_user(Role.OFFICE_OFFICIAL, office),
        "sh_user": make_user(Role.OFFICE_OFFICIAL, sh_office),
        "uni_admin": make_user(Role.INSTITUTION_ADMIN, uni),
        "uni": uni,
        "sme": sme,
        "transfer": transfer,
    }


def _doubled(definition):
    d = copy.deepcopy(definition)
    d["rules"][0]["amount_fen"] = 800_000
    d["rules"][0]["label"] = "发明专利转让（双方各 0.8 万元/件）"
    return d


def test_a_change_of_rules_is_a_new_version_and_old_batches_keep_theirs(cq):
    user = cq["user"]
    scheme = services.scheme_load_preset(actor=user, preset="cq-gxq-transfer-licence")
    first = subsidies.batch_create(actor=user, scheme_code=scheme.code, start=YEAR[0], end=YEAR[1])
    assert (first.scheme_version.number, first.total_paid_fen) == (1, 800_000)

    v2 = services.scheme_revise(
        actor=user, code=scheme.code, definition=_doubled(presets.CQ_TRANSFER_LICENCE), note="提高标准"
    )
    assert v2.number == 2 and SubsidySchemeVersion.objects.filter(scheme=scheme).count() == 2
    # the first batch still shows and recomputes with version 1
    first.refresh_from_db()
    assert first.scheme_version.number == 1
    assert subsidies.batch_scheme(first).rules[0].amount_fen == 400_000
    subsidies.application_reject(
        actor=user, application_id=first.applications.get(organization=cq["sme"]).pk, reason="复核"
    )
    first.refresh_from_db()
    assert first.total_paid_fen == 400_000  # the university's ¥4,000 under v1, not ¥8,000 under v2

    p = patent()
    hold(cq["uni"], p)
    deal(DealKind.TRANSFER, cq["uni"], cq["sme"], [p], filings={"transfer_reg": date(2026, 5, 2)})
    second = subsidies.batch_create(actor=user, scheme_code=scheme.code, start=YEAR[0], end=YEAR[1])
    assert second.scheme_version.number == 2
    assert sorted(second.applications.values_list("paid_fen", flat=True)) == [800_000, 800_000]
    # the first deal stays "already claimed" under the new version: the once-ever rule spans versions
    assert set(second.holds.values_list("reason", flat=True)) == {SubsidyHold.Reason.ALREADY_PAID}


def test_an_unchanged_revision_makes_no_version(cq):
    services.scheme_load_preset(actor=cq["user"], preset="cq-gxq-pledge")
    with pytest.raises(ApplicationError) as exc:
        services.scheme_revise(actor=cq["user"], code="cq-gxq-pledge", definition=presets.CQ_PLEDGE)
    assert exc.value.code == "unchanged" and SubsidySchemeVersion.objects.count() == 1


def test_no_double_support_across_schemes(cq):
    user = cq["user"]
    services.scheme_load_preset(actor=user, preset="cq-gxq-transfer-licence")
    services.scheme_create(actor=user, code="cq-extra", definition=_doubled(presets.CQ_TRANSFER_LICENCE))
    subsidies.batch_create(actor=user, scheme_code="cq-gxq-transfer-licence", start=YEAR[0], end=YEAR[1])
    other = subsidies.batch_create(actor=user, scheme_code="cq-extra", start=YEAR[0], end=YEAR[1])
    assert other.total_paid_fen == 0
    assert sorted(other.holds.values_list("organization__name", "reason")) == [
        ("渝小企", "other_scheme"),
        ("重庆甲大学", "other_scheme"),
    ]


def test_interest_and_premium_subsidy_read_the_pledge_loan_figures(cq, make_user):
    user = cq["user"]
    ent = cq["sme"]
    bank = org(OrganizationType.BANK, "500000", name="银行")
    loan = deal(
        DealKind.PLEDGE, ent, bank, [patent()], amount=10_000_000_00, filings={"pledge_reg": date(2026, 3, 1)}
    )
    ent_user = make_user(Role.ENTERPRISE_USER, ent)
    services.pledge_figures_record(
        actor=ent_user, deal_id=loan.pk, interest_paid_yuan="300,000", premium_paid_yuan="8,000.00"
    )
    services.scheme_load_preset(actor=user, preset="jl-pledge-financing")
    batch = subsidies.batch_create(actor=user, scheme_code="jl-pledge-financing", start=YEAR[0], end=YEAR[1])
    lines = sorted(batch.applications.get().lines.values_list("rule", "amount_fen"))
    # 50% of ¥300,000 = ¥150,000 (within the ¥200,000 cap); 50% of ¥8,000 = ¥4,000
    assert lines == [("interest_subsidy", 15_000_000), ("premium_subsidy", 400_000)]
    # another enterprise cannot record figures on this loan
    other = make_user(Role.ENTERPRISE_USER, org(OrganizationType.ENTERPRISE, "500107", sme=True))
    with pytest.raises(NotFound):
        services.pledge_figures_record(
            actor=other, deal_id=loan.pk, interest_paid_yuan="1", premium_paid_yuan=""
        )


def test_another_regions_office_can_neither_see_nor_change_a_scheme(cq, client):
    services.scheme_load_preset(actor=cq["user"], preset="cq-gxq-pledge")
    sh = cq["sh_user"]
    assert not selectors.schemes_visible(sh).exists()
    with pytest.raises(NotFound):
        services.scheme_revise(
            actor=sh, code="cq-gxq-pledge", definition=_doubled(presets.CQ_TRANSFER_LICENCE)
        )
    with pytest.raises(ApplicationError):
        subsidies.batch_create(actor=sh, scheme_code="cq-gxq-pledge", start=YEAR[0], end=YEAR[1])
    client.force_login(sh)
    assert client.get(reverse("programmes:scheme-detail", args=["cq-gxq-pledge"])).status_code == 404
    assert client.get(reverse("programmes:scheme-edit", args=["cq-gxq-pledge"])).status_code == 404
    r = client.post(
        "/api/programmes/schemes/cq-gxq-pledge/versions",
        json.dumps({"definition": presets.CQ_TRANSFER_LICENCE}),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert SubsidySchemeVersion.objects.count() == 1


def test_an_office_cannot_pay_outside_its_region(cq):
    with pytest.raises(ApplicationError) as exc:
        services.scheme_load_preset(actor=cq["user"], preset="cq-gxq-pledge", regions=["310101"])
    assert "不在本局辖区内" in exc.value.message_zh and not SubsidyScheme.objects.exists()


def test_an_institution_cannot_define_schemes(cq, client):
    admin = cq["uni_admin"]
    with pytest.raises(PermissionRefused):
        services.scheme_load_preset(actor=admin, preset="cq-gxq-pledge")
    client.force_login(admin)
    assert client.get(reverse("programmes:schemes")).status_code == 403
    r = client.post(
        "/api/programmes/schemes",
        json.dumps({"code": "x", "definition": presets.CQ_PLEDGE}),
        content_type="application/json",
    )
    assert r.status_code == 403 and not SubsidyScheme.objects.exists()


def test_bad_rules_show_every_error_at_once_on_the_same_form_with_the_input_kept(cq, client):
    client.force_login(cq["user"])
    post = {
        "code": "my-scheme", "name": "本区奖补", "pool": "50万", "unit_cap": "", "region_role": "enterprise",
        "regions": "500107,310101", "rule_count": "3",
        "r0_code": "a", "r0_label": "转让", "r0_event": "transfer", "r0_basis": "per_patent", "r0_amount": "",
        "r0_beneficiaries": "enterprise",
        "r1_code": "b", "r1_label": "许可", "r1_event": "licence", "r1_basis": "contract_pct", "r1_rate": "0.1.1",
        "r1_beneficiaries": "enterprise",
        "r2_code": "c", "r2_label": "利息", "r2_event": "transfer", "r2_basis": "interest_pct", "r2_rate": "50",
        "r2_beneficiaries": "enterprise",
    }  # fmt: skip
    r = client.post(reverse("programmes:scheme-new"), post)
    assert r.status_code == 400
    page = r.content.decode()
    for message in (
        "资金总额：金额格式不正确",
        "第1条规则：定额计算须填写金额",
        "第2条规则：比例格式不正确",
        "第3条规则：贷款、利息和保费只适用于质押融资",
        "上海市（行政区划 310101）不在本局辖区内",
    ):
        assert message in page, message
    assert 'value="my-scheme"' in page and 'value="0.1.1"' in page and "500107,310101" in page
    assert not SubsidyScheme.objects.exists()
    # the API gives the same list
    bad = copy.deepcopy(presets.CQ_PLEDGE)
    bad["rules"][0]["rate_ppm"] = 0
    bad["name"] = ""
    r = client.post(
        "/api/programmes/schemes",
        json.dumps({"code": "x", "definition": bad}),
        content_type="application/json",
    )
    assert r.status_code == 400 and [e["field"] for e in r.json()["errors"]] == ["name", "rules[0].rate_ppm"]


def test_scheme_pages_show_the_rules_in_words_and_every_version(cq, client):
    user = cq["user"]
    services.scheme_load_preset(actor=user, preset="cq-gxq-transfer-licence")
    services.scheme_revise(
        actor=user,
        code="cq-gxq-transfer-licence",
        definition=_doubled(presets.CQ_TRANSFER_LICENCE),
        note="提高标准",
    )
    client.force_login(user)
    page = client.get(reverse("programmes:scheme-detail", args=["cq-gxq-transfer-licence"])).content.decode()
    assert "第 2 版" in page and "每件专利定额 8,000.00 元" in page and "提高标准" in page
    assert "invention_transfer" not in page
    old = client.get(reverse("programmes:scheme-detail", args=["cq-gxq-transfer-licence"]), {"version": 1})
    assert "每件专利定额 4,000.00 元" in old.content.decode() and "历史版本" in old.content.decode()
    batch = subsidies.batch_create(
        actor=user, scheme_code="cq-gxq-transfer-licence", start=YEAR[0], end=YEAR[1]
    )
    page = client.get(reverse("monitoring:subsidy-detail", args=[batch.pk])).content.decode()
    assert "cq-gxq-transfer-licence 第 2 版" in page


def test_the_form_saves_a_scheme_and_a_change_as_the_next_version(cq, client):
    client.force_login(cq["user"])
    post = {
        "code": "gxq-open", "name": "开放许可奖补", "pool": "100,000", "unit_cap": "5,000", "region_role": "enterprise",
        "regions": "500107", "no_double_support": "on", "rule_count": "1",
        "r0_code": "ol", "r0_label": "开放许可每件 500 元", "r0_event": "open_licence", "r0_basis": "per_patent",
        "r0_amount": "500", "r0_beneficiaries": "enterprise", "r0_enterprise_sizes": ["small", "micro"],
        "r0_requires": "filed",
    }  # fmt: skip
    r = client.post(reverse("programmes:scheme-new"), post)
    assert r.status_code == 302
    v1 = selectors.current_version(SubsidyScheme.objects.get(code="gxq-open"))
    rule = v1.definition["rules"][0]
    assert (rule["amount_fen"], rule["enterprise_sizes"], v1.regions, v1.definition["pool_fen"]) == (
        50_000, ["small", "micro"], ["500107"], 10_000_000,
    )  # fmt: skip
    r = client.post(
        reverse("programmes:scheme-edit", args=["gxq-open"]), {**post, "r0_amount": "600", "note": "调整"}
    )
    assert r.status_code == 302
    scheme = SubsidyScheme.objects.get(code="gxq-open")
    assert scheme.current_version == 2
    assert selectors.current_version(scheme).definition["rules"][0]["amount_fen"] == 60_000


def test_cli_loads_a_preset_for_an_office_and_refuses_anyone_else(cq):
    out = StringIO()
    call_command("subsidy-scheme", "load-preset", "sh-service-team", user=cq["sh_user"].username, stdout=out)
    assert "sh-service-team" in out.getvalue()
    assert selectors.current_version(SubsidyScheme.objects.get(code="sh-service-team")).regions == ["31"]
    with pytest.raises(CommandError):
        call_command("subsidy-scheme", "load-preset", "cq-gxq-pledge", user=cq["uni_admin"].username)
    with pytest.raises(CommandError, match="已被使用"):
        call_command("subsidy-scheme", "load-preset", "sh-service-team", user=cq["user"].username)
