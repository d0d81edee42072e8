from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from panhuo.accounts.models import Role
from panhuo.evaluation.models import Assessment, ScoreJob, ValueScore, WeightSet
from panhuo.evaluation.scoring import scores_recompute
from panhuo.evaluation.services import assessment_enterprise_create, assessment_institution_create
from panhuo.patents.models import PatentActivity

from .factories import make_patent


@pytest.fixture
def world(university, other_university):
    mine = make_patent(holder=university, trl=8, self_grade="A", title='=HYPERLINK("x")一种方法')
    draft = make_patent(holder=university, state="draft")
    theirs = make_patent(holder=other_university, state="draft")
    scores_recompute()
    return mine, draft, theirs


def test_list_shows_only_own_institution(client, institution_admin, world):
    mine, draft, theirs = world
    client.force_login(institution_admin)
    r = client.get(reverse("evaluation:index"))
    assert r.status_code == 200
    body = r.content.decode()
    assert mine.key in body and draft.key in body
    assert theirs.key not in body


def test_export_is_formula_safe(client, institution_admin, world):
    client.force_login(institution_admin)
    r = client.get(reverse("evaluation:index") + "?export=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    titles = [row[1].value for row in ws.iter_rows(min_row=2)]
    assert '\'=HYPERLINK("x")一种方法' in titles
    r = client.get(reverse("evaluation:index") + "?export=csv&sleeping=1")
    assert r.status_code == 200 and "'=HYPERLINK" in r.content.decode("utf-8-sig")


def test_enterprise_sees_pool_only(client, enterprise_user, world):
    mine, draft, theirs = world
    client.force_login(enterprise_user)
    body = client.get(reverse("evaluation:index")).content.decode()
    assert mine.key in body and draft.key not in body and theirs.key not in body
    assert client.get(reverse("evaluation:patent-panel", args=[mine.pk])).status_code == 200
    assert client.get(reverse("evaluation:patent-panel", args=[theirs.pk])).status_code == 404


def test_panel_other_tenant_404_and_assessments_private(
    client, institution_admin, enterprise_user, world, make_user, other_university
):
    mine, draft, theirs = world
    other_admin = make_user(Role.INSTITUTION_ADMIN, other_university)
    assessment_institution_create(
        actor=institution_admin,
        patent=mine,
        trl=3,
        value_grade="D",
        prospect="poor",
        recommended_mode="licence",
        price_min_fen=100_00,
        price_max_fen=500_00,
        comment="内部意见甲",
    )
    assessment_enterprise_create(
        actor=enterprise_user, patent=mine, prospect="good", improvement_need="需要中试", cooperation="strong"
    )
    client.force_login(other_admin)
    assert client.get(reverse("evaluation:patent-panel", args=[draft.pk])).status_code == 404
    body = client.get(reverse("evaluation:patent-panel", args=[mine.pk])).content.decode()  # pooled: public
    assert "内部意见甲" not in body and "需要中试" not in body
    client.force_login(institution_admin)
    body = client.get(reverse("evaluation:patent-panel", args=[mine.pk])).content.decode()
    assert "内部意见甲" in body and "需要中试" in body
    assert "价值判断分歧" in body and "技术成熟度分歧" in body
    client.force_login(enterprise_user)
    body = client.get(reverse("evaluation:patent-panel", args=[mine.pk])).content.decode()
    assert "需要中试" in body and "内部意见甲" not in body


def test_enterprise_evaluation_rules(enterprise_user, institution_admin, world):
    mine, draft, theirs = world
    from panhuo.common.errors import ApplicationError, PermissionRefused

    with pytest.raises(ApplicationError):
        assessment_enterprise_create(
            actor=enterprise_user, patent=draft, prospect="good", improvement_need="", cooperation="some"
        )
    assert Assessment.objects.count() == 0
    assert PatentActivity.objects.get(patent=draft).enterprise_evaluations == 0
    with pytest.raises(PermissionRefused):
        assessment_enterprise_create(
            actor=institution_admin, patent=mine, prospect="good", improvement_need="", cooperation="some"
        )
    assessment_enterprise_create(
        actor=enterprise_user, patent=mine, prospect="fair", improvement_need="", cooperation="strong"
    )
    act = PatentActivity.objects.get(patent=mine)
    assert (act.enterprise_evaluations, act.positive_evaluations) == (1, 1)
    with pytest.raises(ApplicationError):
        assessment_enterprise_create(
            actor=enterprise_user, patent=mine, prospect="good", improvement_need="", cooperation="some"
        )
    assert Assessment.objects.count() == 1
    assert PatentActivity.objects.get(patent=mine).enterprise_evaluations == 1


def test_institution_assessment_refused_for_other_tenant(world, make_user, other_university):
    mine, *_ = world
    from panhuo.common.errors import PermissionRefused

    other_admin = make_user(Role.INSTITUTION_ADMIN, other_university)
    with pytest.raises(PermissionRefused):
        assessment_institution_create(
            actor=other_admin,
            patent=mine,
            trl=5,
            value_grade="B",
            prospect="",
            recommended_mode="",
            price_min_fen=None,
            price_max_fen=None,
        )
    assert Assessment.objects.count() == 0


def test_enterprise_form_post(client, enterprise_user, world):
    mine, *_ = world
    client.force_login(enterprise_user)
    r = client.post(
        reverse("evaluation:assess-enterprise", args=[mine.pk]),
        {"prospect": "good", "cooperation": "some", "improvement_need": "降低成本"},
    )
    assert r.status_code == 302
    assert Assessment.objects.get().improvement_need == "降低成本"


def test_weight_change_from_web_runs_job_with_progress(
    client, institution_admin, university, world, django_capture_on_commit_callbacks
):
    mine, draft, theirs = world
    client.force_login(institution_admin)
    r = client.get(reverse("evaluation:weights") + "?scenario=licensing")
    assert r.status_code == 200
    data = {
        f"w_{k}": v for k, v in WeightSet.objects.get(organization=None, scenario="licensing").weights.items()
    }
    data.update(scenario="licensing", w_maturity=0.9, note="更看重成熟度")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("evaluation:weights"), data)
    assert r.status_code == 302
    job = ScoreJob.objects.get()
    assert job.state == ScoreJob.State.DONE and job.total == 2 and job.done == 2  # the changed scenario only
    status = client.get(reverse("evaluation:job-status", args=[job.pk])).json()
    assert status["state"] == "done" and status["percent"] == 100.0
    assert ValueScore.objects.get(patent=mine, scenario="licensing").model_version.endswith("/UNI-A/w1")
    assert ValueScore.objects.get(patent=theirs, scenario="licensing").model_version.endswith("/default/w1")


def test_weights_refused_for_others(client, enterprise_user, inventor, world):
    for user in (enterprise_user, inventor):
        client.force_login(user)
        assert client.get(reverse("evaluation:weights")).status_code == 403
    assert WeightSet.objects.filter(organization__isnull=False).count() == 0


def test_job_of_other_tenant_404(client, institution_admin, make_user, other_university, world):
    other_admin = make_user(Role.INSTITUTION_ADMIN, other_university)
    job = ScoreJob.objects.create(organization=other_university)
    client.force_login(institution_admin)
    assert client.get(reverse("evaluation:job-status", args=[job.pk])).status_code == 404
    client.force_login(other_admin)
    assert client.get(reverse("evaluation:job-status", args=[job.pk])).status_code == 200


def test_fee_calendar_page_and_xlsx(client, institution_admin, university):
    cheap = make_patent(holder=university, application_date=date(2007, 3, 1), claims=1)
    scores_recompute()
    client.force_login(institution_admin)
    r = client.get(reverse("evaluation:fees") + "?days=366")
    assert r.status_code == 200
    assert cheap.key in r.content.decode()
    r = client.get(reverse("evaluation:fees") + "?days=366&export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(1, 1).value == "申请号" and ws.cell(2, 1).value == cheap.key


def test_anonymous_redirected(client, world):
    r = client.get(reverse("evaluation:index"))
    assert r.status_code == 302


def test_tier_rules_configurable_per_institution(
    client, institution_admin, university, world, django_capture_on_commit_callbacks
):
    from panhuo.evaluation.models import TierRule

    mine, draft, theirs = world
    client.force_login(institution_admin)
    assert client.get(reverse("evaluation:tiers")).status_code == 200
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-priority": "1",
        "form-0-tier": "open_licence",
        "form-0-reason_zh": "本校全部开放许可",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("evaluation:tiers"), data)
    assert r.status_code == 302
    assert list(TierRule.objects.filter(organization=university).values_list("tier", flat=True)) == [
        "open_licence"
    ]
    assert ValueScore.objects.get(patent=mine, scenario="management").tier == "open_licence"
    assert ValueScore.objects.get(patent=mine, scenario="management").tier_reason.startswith(
        "本校全部开放许可"
    )
    assert TierRule.objects.filter(organization__isnull=True).count() == 4  # defaults untouched


def test_tier_rules_bad_range_refused(institution_admin, university, world):
    from panhuo.common.errors import ApplicationError
    from panhuo.evaluation.models import TierRule
    from panhuo.evaluation.services import tier_rules_set

    with pytest.raises(ApplicationError):
        tier_rules_set(
            actor=institution_admin,
            organization=university,
            rules=[
                {"priority": 1, "tier": "standard", "min_score": 50.0, "max_score": 40.0, "reason_zh": "x"}
            ],
        )
    assert TierRule.objects.filter(organization=university).count() == 0


@pytest.mark.parametrize("page", ["evaluation:weights", "evaluation:tiers"])
def test_configuration_pages_read_without_writing(client, institution_admin, page):
    """GET views never write: the defaults come from migrate (post_migrate), not from the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from panhuo.common.models import AuditEvent

    client.force_login(institution_admin)
    audit_before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse(page))
    assert r.status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert AuditEvent.objects.count() == audit_before
    assert WeightSet.objects.filter(organization=None).count() == 3  # one v1 per scenario, from migrate


def test_an_english_browser_gets_the_chinese_page_whole(client, institution_admin):
    """The UI is Chinese only (no LocaleMiddleware, no English catalogue): Django's own form errors stay Chinese."""
    client.force_login(institution_admin)
    r = client.post(
        reverse("evaluation:weights"), {"scenario": "licensing"}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    body = r.content.decode()
    assert r.status_code == 200 and "调整说明" in body
    assert "这个字段是必填项。" in body and "This field is required." not in body
