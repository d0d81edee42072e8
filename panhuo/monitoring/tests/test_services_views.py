from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.common.models import AuditEvent
from panhuo.deals.models import DealKind
from panhuo.monitoring import kpi, subsidies
from panhuo.monitoring.aggregates import aggregates_rebuild
from panhuo.monitoring.anomalies import anomalies_run, case_review, cases_visible
from panhuo.monitoring.models import AnomalyCase, CaseStatus, KpiSnapshot, SurveyResponse
from panhuo.monitoring.survey import survey_submit
from panhuo.programmes.services import scheme_load_preset

from .factories import deal, hold, org, patent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, office_user):
    """Chongqing (50) and Beijing (11) each with a university, an SME and deals; one A→B→A chain in each."""
    cq_uni = org(OrganizationType.UNIVERSITY, "500107", name="重庆甲大学")
    bj_uni = org(OrganizationType.UNIVERSITY, "110108", name="北京乙大学")
    cq_sme = org(OrganizationType.ENTERPRISE, "500107", sme=True, name="渝小企")
    bj_sme = org(OrganizationType.ENTERPRISE, "110108", sme=True, name="京小企")
    out = {"office_user": office_user, "cq_uni": cq_uni, "bj_uni": bj_uni, "cq_sme": cq_sme, "bj_sme": bj_sme}
    for uni, sme, tag in ((cq_uni, cq_sme, "cq"), (bj_uni, bj_sme, "bj")):
        p = patent()
        hold(uni, p)
        out[f"{tag}_d1"] = deal(
            DealKind.TRANSFER,
            uni,
            sme,
            [p],
            on=date(2026, 1, 5),
            amount=100_000_00,
            received=100_000_00,
            filings={"transfer_reg": date(2026, 1, 20)},
        )
        out[f"{tag}_d2"] = deal(
            DealKind.TRANSFER, sme, uni, [p], on=date(2026, 2, 5), amount=100_000_00, received=100_000_00
        )
    bj_office = org(OrganizationType.IP_OFFICE, "110000")
    out["bj_office_user"] = make_user(Role.OFFICE_OFFICIAL, bj_office)
    aggregates_rebuild()
    return out


def test_anomaly_run_json_and_office_sees_only_its_region(world, capsys):
    out = io.StringIO()
    call_command("anomalies", "--json", "--as-of", "2026-11-01", stdout=out)
    data = json.loads(out.getvalue())
    rules = sorted((c["rule"], tuple(c["parties"])) for c in data["cases"])
    assert rules == [("retransfer", ("北京乙大学", "京小企")), ("retransfer", ("重庆甲大学", "渝小企"))]
    assert set(data["cases"][0]) == {"rule", "patents", "parties", "confidence", "evidence", "deals"}
    mine = list(cases_visible(world["office_user"]).values_list("parties", flat=True))
    assert mine == [["重庆甲大学", "渝小企"]]
    # rerun: no duplicates, reviewed verdict kept
    case = cases_visible(world["office_user"]).get()
    case_review(
        actor=world["office_user"], case_id=case.pk, verdict=CaseStatus.DISMISSED, reason="真实回购，有合同"
    )
    anomalies_run(as_of=date(2026, 11, 1))
    assert AnomalyCase.objects.count() == 2
    assert AnomalyCase.objects.get(pk=case.pk).status == CaseStatus.DISMISSED
    assert AuditEvent.objects.filter(action="anomaly.case_review", object_id=str(case.pk)).count() == 1


def test_case_review_refusals_change_nothing(world):
    anomalies_run(as_of=date(2026, 11, 1))
    bj_case = AnomalyCase.objects.get(region_code="110108")
    with pytest.raises(NotFound):
        case_review(actor=world["office_user"], case_id=bj_case.pk, verdict="confirmed", reason="x")
    with pytest.raises(ApplicationError):
        case_review(actor=world["bj_office_user"], case_id=bj_case.pk, verdict="confirmed", reason="  ")
    bj_case.refresh_from_db()
    assert bj_case.status == CaseStatus.OPEN and bj_case.reviewed_by is None


def test_dashboard_region_isolation(client, world):
    client.force_login(world["office_user"])
    r = client.get(reverse("monitoring:dashboard"), {"period": "2026"})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="chart-data"' in body and "echarts.min.js" in body and "<script>" not in body
    assert r.context["d"]["totals"][DealKind.TRANSFER]["deals"] == 2
    assert client.get(reverse("monitoring:dashboard"), {"region": "11"}).status_code == 404
    r = client.get(reverse("monitoring:deals"), {"period": "2026", "kind": "transfer"})
    assert sorted(d.institution.name for d in r.context["page"]) == ["渝小企", "重庆甲大学"]
    assert r.context["total"] == 2


def test_institution_admin_sees_own_and_enterprise_refused(client, world, make_user):
    admin = make_user(Role.INSTITUTION_ADMIN, world["cq_uni"])
    client.force_login(admin)
    r = client.get(reverse("monitoring:dashboard"), {"period": "2026"})
    assert r.status_code == 200 and r.context["d"]["totals"][DealKind.TRANSFER]["deals"] == 1
    r = client.get(reverse("monitoring:deals"), {"period": "2026"})
    assert [d.institution.name for d in r.context["page"]] == ["重庆甲大学"]
    ent_user = make_user(Role.ENTERPRISE_USER, world["cq_sme"])
    client.force_login(ent_user)
    assert client.get(reverse("monitoring:dashboard")).status_code == 403
    assert client.get(reverse("monitoring:kpi")).status_code == 403


def test_kpi_programme_preset_evaluate_and_snapshot_is_frozen(world):
    user = world["office_user"]
    p = kpi.programme_create(
        actor=user, code="CQ", name="重庆", start=date(2026, 1, 1), end=date(2026, 12, 31), preset="cq-gxq"
    )
    assert p.indicators.count() == 10 and "003_1d693d9969cc8619" in p.source
    data = kpi.programme_evaluate(p, as_of=date(2026, 6, 30))
    cq1 = next(r for r in data["indicators"] if r["code"] == "cq1")
    assert cq1["actual"] == 1  # one transfer from the Chongqing university to a Chongqing SME
    assert "cq1" in data["laggards"]
    snap = kpi.snapshot_take(programme=p, period="2026-B3", actor=user)
    assert snap.as_of == date(2026, 6, 30)
    # more deals later: the stored snapshot does not move
    deal(DealKind.LICENCE, world["cq_uni"], world["cq_sme"], [patent()], on=date(2026, 5, 1))
    aggregates_rebuild()
    assert kpi.snapshot_take(programme=p, period="2026-B3").results == snap.results
    assert KpiSnapshot.objects.count() == 1
    with pytest.raises(PermissionRefused):
        kpi.programme_create(
            actor=user,
            code="X",
            name="x",
            start=date(2026, 1, 1),
            end=date(2026, 2, 1),
            preset="jilin",
            region_prefix_override="11",
        )
    with pytest.raises(NotFound):
        kpi.programme_get(actor=world["bj_office_user"], code="CQ")


def test_kpi_pages(client, world):
    client.force_login(world["office_user"])
    r = client.post(
        reverse("monitoring:kpi"),
        {"code": "JL", "name": "吉林", "start": "2026-01-01", "end": "2026-12-31", "preset": "jilin"},
    )
    assert r.status_code == 302
    r = client.get(reverse("monitoring:kpi-detail", args=["JL"]))
    page = r.content.decode()
    # indicators are shown by name (the internal code "jl1" never reaches the screen); the source by its title
    assert r.status_code == 200 and "中小微企业受让/许可/入股专利数量年均增幅" in page and ">jl1" not in page
    assert "《吉林省2021—2023年专利转化行动计划实施方案》二、工作目标" in page and "seeds/" not in page
    client.force_login(world["bj_office_user"])
    assert client.get(reverse("monitoring:kpi-detail", args=["JL"])).status_code == 404


def test_subsidy_batch_and_formula_safe_export(world, client):
    user = world["office_user"]
    world["cq_uni"].name = '=HYPERLINK("http://x")'
    world["cq_uni"].save()
    scheme_load_preset(actor=user, preset="cq-gxq-transfer-licence")
    batch = subsidies.batch_create(
        actor=user, scheme_code="cq-gxq-transfer-licence", start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    # one invention transfer registered in the region: ¥4,000 to each side
    assert sorted(a.paid_fen for a in batch.applications.all()) == [400_000, 400_000]
    app = batch.applications.get(organization=world["cq_sme"])
    with pytest.raises(ApplicationError):
        subsidies.application_reject(actor=user, application_id=app.pk, reason=" ")
    subsidies.application_reject(actor=user, application_id=app.pk, reason="非区内中小微企业")
    batch.refresh_from_db()
    assert batch.total_paid_fen == 400_000
    subsidies.batch_approve(actor=user, batch_id=batch.pk)
    with pytest.raises(ApplicationError):
        subsidies.application_reject(actor=user, application_id=app.pk, reason="again")
    client.force_login(user)
    r = client.get(reverse("monitoring:subsidy-detail", args=[batch.pk]), {"format": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content))
    names = [row[0] for row in wb["拨付清单"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
    assert all(
        c.data_type == "s" for row in wb["拨付清单"].iter_rows() for c in row if isinstance(c.value, str)
    )
    client.force_login(world["bj_office_user"])
    assert client.get(reverse("monitoring:subsidy-detail", args=[batch.pk])).status_code == 404


def test_survey_once_per_year_feeds_satisfaction(world, make_user):
    from panhuo.monitoring.metrics import metric_value

    admin = make_user(Role.INSTITUTION_ADMIN, world["cq_uni"])
    ent = make_user(Role.ENTERPRISE_USER, world["cq_sme"])
    survey_submit(actor=admin, score=5, year=2026)
    survey_submit(actor=ent, score=3, year=2026)
    with pytest.raises(ApplicationError):
        survey_submit(actor=admin, score=4, year=2026)
    with pytest.raises(ApplicationError):
        survey_submit(actor=ent, score=6, year=2025)
    assert SurveyResponse.objects.count() == 2
    assert (
        metric_value("satisfaction_bp", prefix="50", start=date(2026, 1, 1), end=date(2026, 12, 31)) == 5000
    )
    with pytest.raises(PermissionRefused):
        survey_submit(actor=world["office_user"], score=5)


def test_stats_command_json(world):
    out = io.StringIO()
    call_command("stats", "--json", "--period", "2026", "--region", "50", stdout=out)
    data = json.loads(out.getvalue())
    assert data["totals"]["transfer"]["deals"] == 2 and data["region_prefix"] == "50"


def test_api_scopes(client, world, make_user):
    client.force_login(world["office_user"])
    r = client.get("/api/monitoring/stats", {"period": "2026"})
    assert r.status_code == 200 and r.json()["totals"]["transfer"]["deals"] == 2
    assert client.get("/api/monitoring/stats", {"region": "11"}).status_code == 403
    anomalies_run(as_of=date(2026, 11, 1))
    cases = client.get("/api/monitoring/anomalies").json()["cases"]
    assert [c["parties"] for c in cases] == [["重庆甲大学", "渝小企"]]
    client.logout()
    assert client.get("/api/monitoring/stats").status_code == 401


def test_kpi_command_json(world):
    kpi.programme_create(
        actor=world["office_user"],
        code="CQ2",
        name="重庆",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        preset="cq-gxq",
    )
    out = io.StringIO()
    call_command("kpi", "CQ2", "--json", "--as-of", "2026-06-30", stdout=out)
    data = json.loads(out.getvalue())
    assert data["as_of"] == "2026-06-30" and len(data["indicators"]) == 10
    assert {"code", "target", "actual", "forecast", "progress_bp", "on_track"} <= set(data["indicators"][0])
    out = io.StringIO()
    call_command("kpi", "CQ2", "--json", "--snapshot", "2026-B2", stdout=out)
    assert json.loads(out.getvalue())["as_of"] == "2026-04-30"


def test_run_button_enqueues_the_job(client, world):
    client.force_login(world["office_user"])
    r = client.post(reverse("monitoring:anomaly-run"))
    assert r.status_code == 302 and AnomalyCase.objects.count() == 2
    r = client.get(reverse("monitoring:anomalies"))
    assert r.status_code == 200 and len(r.context["page"]) == 1
    case = r.context["page"][0]
    r = client.post(
        reverse("monitoring:anomaly-detail", args=[case.pk]), {"verdict": "confirmed", "reason": "  "}
    )
    # the refusal comes back on the same form, the chosen verdict still chosen
    page = r.content.decode()
    assert r.status_code == 400 and "请填写核查意见" in page
    assert 'value="confirmed" checked' in page
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
