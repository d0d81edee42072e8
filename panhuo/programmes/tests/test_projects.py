"""事前资助 projects: the office funds with targets, the holder self-evaluates with evidence, the office accepts."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panhuo.accounts.models import Organization, OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.demand.models import EnterpriseProfile
from panhuo.programmes import projects as project_services
from panhuo.programmes.models import FundedProject, ProjectEvidence, ProjectStatus

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% evidence\n"


def org(type: str, region: str, *, sme: bool = False, name: str) -> Organization:
    o = Organization.objects.create(code=name, name=name, type=type, region_code=region)
    if type == OrganizationType.ENTERPRISE:
        EnterpriseProfile.objects.create(
            organization=o, size="small" if sme else "large", office_confirmed=True
        )
    return o


@pytest.fixture
def w(make_user):
    office = org(OrganizationType.IP_OFFICE, "500107", name="重庆高新区知识产权局")
    other_office = org(OrganizationType.IP_OFFICE, "220000", name="吉林省知识产权局")
    ent = org(OrganizationType.ENTERPRISE, "500107", sme=True, name="渝小企")
    other_ent = org(OrganizationType.ENTERPRISE, "500107", sme=True, name="渝另企")
    far = org(OrganizationType.UNIVERSITY, "220102", name="吉林某大学")
    return {
        "office": make_user(Role.OFFICE_OFFICIAL, office),
        "other_office": make_user(Role.OFFICE_OFFICIAL, other_office),
        "ent": ent,
        "ent_user": make_user(Role.ENTERPRISE_USER, ent),
        "other_ent_user": make_user(Role.ENTERPRISE_USER, other_ent),
        "far": far,
    }


def fund(w, **kw):
    args = {
        "actor": w["office"], "code": "GXQ-2026-01", "name": "中小企业专利转化能力提升项目", "holder_id": w["ent"].pk,
        "amount_yuan": "100,000", "start": date(2026, 1, 1), "end": date(2026, 12, 31),
        "targets": [
            {"name": "接受高校院所专利转让许可次数", "unit": "次", "target": "5"},
            {"name": "质押融资金额", "unit": "wan_yuan", "target": "200"},
        ],
    }  # fmt: skip
    return project_services.project_create(**{**args, **kw})


def test_a_project_runs_from_funding_to_acceptance(w, client):
    p = fund(w)
    assert [(t.unit, t.target) for t in p.targets.all()] == [("次", 5), ("wan_yuan", 200_000_000)]
    t1, t2 = p.targets.all()
    project_services.project_self_evaluate(
        actor=w["ent_user"], project_id=p.pk, actuals={t1.pk: "6", t2.pk: "150"}, self_evaluation="完成情况……",
        files=[("合同.pdf", PDF)],
    )  # fmt: skip
    p.refresh_from_db()
    assert p.status == ProjectStatus.SUBMITTED and [t.actual for t in p.targets.all()] == [6, 150_000_000]
    with pytest.raises(ApplicationError, match="须写明理由"):
        project_services.project_accept(actor=w["office"], project_id=p.pk, decision="rectify")
    project_services.project_accept(
        actor=w["office"], project_id=p.pk, decision="rectify", reason="质押融资未达目标"
    )
    client.force_login(w["ent_user"])
    page = client.get(reverse("programmes:project-detail", args=[p.pk])).content.decode()
    assert "限期整改" in page and "质押融资未达目标" in page and "150.00" in page and "未达成" in page
    # after rectification the holder submits again, the office passes it
    r = client.post(
        reverse("programmes:project-detail", args=[p.pk]),
        {"action": "evaluate", f"actual_{t1.pk}": "6", f"actual_{t2.pk}": "210", "self_evaluation": "已整改"},
    )
    assert r.status_code == 302
    project_services.project_accept(actor=w["office"], project_id=p.pk, decision="passed")
    p.refresh_from_db()
    assert p.status == ProjectStatus.PASSED and p.targets.get(pk=t2.pk).actual == 210_000_000
    ev = ProjectEvidence.objects.get()
    r = client.get(reverse("programmes:project-evidence", args=[p.pk, ev.pk]))
    assert r.status_code == 200 and r.content == PDF and r["Content-Type"] == "application/pdf"


def test_project_input_errors_are_reported_together(w):
    with pytest.raises(ApplicationError) as exc:
        fund(
            w, code="", holder_id=w["far"].pk, amount_yuan="十万", end=date(2025, 1, 1),
            targets=[{"name": "", "unit": "件", "target": "x"}, {"name": "金额", "unit": "furlong", "target": "1"}],
        )  # fmt: skip
    fields = [e["field"] for e in exc.value.extra["errors"]]
    assert fields == ["code", "holder", "amount", "end", "targets[0]", "targets[0]", "targets[1]"]
    assert "吉林某大学不在本局辖区内" in exc.value.message_zh
    assert not FundedProject.objects.exists()


def test_the_project_form_keeps_the_input_and_shows_every_error(w, client):
    client.force_login(w["office"])
    r = client.post(
        reverse("programmes:project-new"),
        {"code": "P1", "name": "", "holder": str(w["ent"].pk), "amount": "-5", "start": "2026-01-01",
         "end": "2026-13-01", "target_count": "1", "t0_name": "次数", "t0_unit": "次", "t0_target": "many"},
    )  # fmt: skip
    page = r.content.decode()
    assert r.status_code == 400
    for message in (
        "结束日期格式应为",
        "请填写项目名称",
        "资助金额：金额不能为负数",
        "第1个指标：目标值应为非负整数",
    ):
        assert message in page, message
    assert 'value="P1"' in page and 'value="many"' in page and not FundedProject.objects.exists()


def test_refusals_another_holder_another_office_an_institution(w, client, make_user):
    p = fund(w)
    t1, t2 = p.targets.all()
    with pytest.raises(NotFound):
        project_services.project_self_evaluate(
            actor=w["other_ent_user"], project_id=p.pk, actuals={t1.pk: "1", t2.pk: "1"}, self_evaluation="x"
        )
    with pytest.raises(NotFound):
        project_services.project_accept(actor=w["other_office"], project_id=p.pk, decision="passed")
    with pytest.raises(PermissionRefused):
        project_services.project_create(
            actor=w["ent_user"], code="X", name="X", holder_id=w["ent"].pk, amount_yuan="1",
            start=date(2026, 1, 1), end=date(2026, 2, 1), targets=[{"name": "a", "unit": "件", "target": "1"}],
        )  # fmt: skip
    # the office funds but does not self-evaluate for the holder
    with pytest.raises(PermissionRefused):
        project_services.project_self_evaluate(
            actor=w["office"], project_id=p.pk, actuals={t1.pk: "1", t2.pk: "1"}, self_evaluation="x"
        )
    client.force_login(w["other_office"])
    assert client.get(reverse("programmes:project-detail", args=[p.pk])).status_code == 404
    assert client.get("/api/programmes/projects").json() == []
    r = client.post(
        f"/api/programmes/projects/{p.pk}/acceptance",
        json.dumps({"decision": "passed"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    p.refresh_from_db()
    assert p.status == ProjectStatus.FUNDED and p.targets.filter(actual__isnull=False).count() == 0


def test_evidence_is_checked_by_content_and_everything_missing_is_named(w):
    p = fund(w)
    t1, _t2 = p.targets.all()
    with pytest.raises(ApplicationError) as exc:
        project_services.project_self_evaluate(
            actor=w["ent_user"], project_id=p.pk, actuals={t1.pk: "abc"}, self_evaluation=" ",
            files=[("report.pdf", b"<html>not a pdf</html>")],
        )  # fmt: skip
    messages = [e["zh"] for e in exc.value.extra["errors"]]
    assert messages == [
        "接受高校院所专利转让许可次数：应为非负整数：abc",
        "质押融资金额：请填写完成值",
        "请填写自评说明（完成情况与佐证材料说明）",
        "report.pdf：仅接受 PDF、PNG、JPEG、XLSX 文件",
    ]
    p.refresh_from_db()
    assert p.status == ProjectStatus.FUNDED and not ProjectEvidence.objects.exists()


def test_holder_uploads_evidence_through_the_page_and_the_dashboard_counts_projects(w, client):
    p = fund(w)
    t1, t2 = p.targets.all()
    client.force_login(w["ent_user"])
    r = client.post(
        reverse("programmes:project-detail", args=[p.pk]),
        {
            "action": "evaluate", f"actual_{t1.pk}": "5", f"actual_{t2.pk}": "200.5", "self_evaluation": "完成",
            "evidence": SimpleUploadedFile("a.pdf", PDF, content_type="text/plain"),
        },
    )  # fmt: skip
    assert r.status_code == 302 and ProjectEvidence.objects.get().content_type == "application/pdf"
    client.force_login(w["office"])
    page = client.get(reverse("monitoring:dashboard")).content.decode()
    assert "事前资助项目" in page and "1 个待验收" in page and "100,000.00" in page
    listing = client.get(reverse("programmes:projects")).content.decode()
    assert "中小企业专利转化能力提升项目" in listing and "已提交自评 1" in listing
