"""产业化成效: reported per deal and year by the enterprise side or the institution; reminders; statistics; import;
other tenants refused and nothing changed."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from panhuo.accounts.models import OrganizationType, Role
from panhuo.common.errors import ApplicationError, NotFound, PermissionRefused
from panhuo.deals.models import Deal, DealKind, DealParty, DealState, PartyRole
from panhuo.imports.models import ImportReject, ImportStatus
from panhuo.imports.services import import_job_create, import_job_run
from panhuo.outcomes import selectors, services
from panhuo.outcomes.models import DealOutcome

pytestmark = pytest.mark.django_db
THIS_YEAR = date.today().year


@pytest.fixture
def deal(university, enterprise):
    university.region_code = "500107"
    university.save()
    d = Deal.objects.create(
        code="JY-T-1",
        kind=DealKind.LICENCE,
        title="巡检机器人许可",
        institution=university,
        state=DealState.PERFORMING,
        contract_date=date(THIS_YEAR - 2, 5, 1),
    )
    DealParty.objects.create(deal=d, organization=university, role=PartyRole.LICENSOR)
    DealParty.objects.create(deal=d, organization=enterprise, role=PartyRole.LICENSEE)
    return d


@pytest.fixture
def stranger_enterprise_user(make_org, make_user):
    org = make_org(OrganizationType.ENTERPRISE, code="ENT-X", name="无关企业")
    return make_user(Role.ENTERPRISE_USER, org)


def test_enterprise_reports_and_corrects_a_year(deal, enterprise_user):
    o, created = services.outcome_report(
        actor=enterprise_user,
        deal_id=deal.pk,
        year=THIS_YEAR - 1,
        revenue_yuan="3,000,000",
        output_yuan="5000000",
        jobs=12,
        new_products=2,
    )
    assert created and (o.revenue_fen, o.output_fen, o.jobs, o.new_products) == (
        300_000_000,
        500_000_000,
        12,
        2,
    )
    o, created = services.outcome_report(actor=enterprise_user, deal_id=deal.pk, year=THIS_YEAR - 1, jobs=15)
    assert not created and (o.revenue_fen, o.jobs) == (0, 15)
    assert DealOutcome.objects.count() == 1


def test_errors_at_once_and_nothing_saved(deal, institution_admin):
    with pytest.raises(ApplicationError) as caught:
        services.outcome_report(
            actor=institution_admin, deal_id=deal.pk, year=THIS_YEAR - 5, revenue_yuan="-1", jobs=-3
        )
    assert [e.field for e in caught.value.errors] == ["year", "revenue", "jobs"]
    assert DealOutcome.objects.count() == 0


def test_strangers_refused(deal, stranger_enterprise_user, other_university, make_user, inventor):
    other_admin = make_user(Role.INSTITUTION_ADMIN, other_university)
    for actor in (stranger_enterprise_user, other_admin):
        with pytest.raises(NotFound):
            services.outcome_report(actor=actor, deal_id=deal.pk, year=THIS_YEAR - 1, jobs=1)
        assert list(selectors.outcomes_due(actor, today=date.today())) == []
    with pytest.raises((NotFound, PermissionRefused)):
        services.outcome_report(actor=inventor, deal_id=deal.pk, year=THIS_YEAR - 1, jobs=1)
    assert DealOutcome.objects.count() == 0


def test_reminders_and_statistics(deal, enterprise_user, institution_admin, university):
    today = date.today()
    assert list(selectors.outcomes_due(enterprise_user, today=today)) == [deal]
    assert list(selectors.outcomes_due(institution_admin, today=today)) == [deal]
    services.outcome_report(
        actor=enterprise_user, deal_id=deal.pk, year=THIS_YEAR - 1, revenue_yuan="100", jobs=2
    )
    assert list(selectors.outcomes_due(enterprise_user, today=today)) == []
    s = selectors.outcome_statistics(year=THIS_YEAR - 1, region_prefix="50")
    assert (s.deals, s.revenue_fen, s.jobs) == (1, 10_000, 2)
    assert selectors.outcome_statistics(year=THIS_YEAR - 1, region_prefix="11").deals == 0
    out = StringIO()
    call_command("outcomes_due", "--json", stdout=out)
    assert json.loads(out.getvalue())["deals_without_results"] == 0


def test_pages_api_and_dashboard(deal, enterprise_user, stranger_enterprise_user, office_user):
    c = Client()
    c.force_login(enterprise_user)
    assert f'id="report-{deal.pk}"' in c.get("/outcomes/").content.decode()
    r = c.post(f"/outcomes/deals/{deal.pk}/", {"year": str(THIS_YEAR - 1), "revenue": "abc", "jobs": "-1"})
    assert r.status_code == 400 and "销售收入：金额格式不正确" in r.content.decode()
    r = c.post(
        f"/api/outcomes/deals/{deal.pk}",
        json.dumps({"year": THIS_YEAR - 1, "revenue_yuan": "1,000", "output_yuan": "2,000", "jobs": 3}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["output_yuan"] == "2,000.00"
    s = Client()
    s.force_login(stranger_enterprise_user)
    assert s.get(f"/outcomes/deals/{deal.pk}/").status_code == 404
    assert s.get("/api/outcomes/").json() == []
    o = Client()
    o.force_login(office_user)
    dash = o.get(f"/monitoring/?period={THIS_YEAR - 1}").content.decode()
    assert "1 笔交易填报了成效：销售收入 1,000.00 元，产值 2,000.00 元，新增就业 3 人" in dash


def test_import(deal, university, institution_admin, tmp_path: Path):
    header = "交易编号,年度,销售收入（元）,产值（元）,新增就业（人）,新产品（项）,说明"
    lines = [
        f'JY-T-1,{THIS_YEAR - 1},"3,000,000.00",,12,2,量产',
        f"JY-NOPE,{THIS_YEAR - 1},1,,,,",
        "JY-T-1,1990,x,,,,",
    ]
    path = tmp_path / "outcomes.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")

    def run():
        return import_job_run(
            import_job_create(
                organization=university, kind="deal_outcomes", path=path, actor=institution_admin
            )
        )

    job = run()
    assert job.status == ImportStatus.DONE
    assert (job.inserted, job.updated, job.unchanged, job.rejected) == (1, 0, 0, 2)
    assert sorted(ImportReject.objects.filter(job=job).values_list("line", "column")) == [
        (3, "deal_code"),
        (4, "revenue"),
        (4, "year"),
    ]
    again = run()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
