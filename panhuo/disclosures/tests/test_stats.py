"""Office statistics: disclosures, evaluation outcomes, the share of filings that went through evaluation."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from panhuo.common.errors import PermissionRefused
from panhuo.disclosures import services
from panhuo.disclosures.services import DisclosureContent
from panhuo.disclosures.stats import disclosure_statistics
from panhuo.disclosures.tests.conftest import DISCLOSURE, app_no
from panhuo.disclosures.visibility import statistics_scope
from panhuo.patents.models import InventoryRecord, Patent

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(inventor, institution_admin, university, other_university):
    """甲大学 (重庆 500107): three disclosures → invention filed with its 申请号, know-how, one waiting;
    plus one application of the same year that never went through evaluation. 乙大学 (another region) files
    one patent that must not count."""
    university.region_code = "500107"
    university.save()
    other_university.region_code = "110108"
    other_university.save()
    today = timezone.localdate()
    a = services.disclosure_create(actor=inventor, submit=True, content=DisclosureContent(**DISCLOSURE))
    b = services.disclosure_create(
        actor=inventor, submit=True, content=DisclosureContent(**{**DISCLOSURE, "title": "另一种方法"})
    )
    services.disclosure_create(
        actor=inventor, submit=True, content=DisclosureContent(**{**DISCLOSURE, "title": "待评估"})
    )
    services.evaluation_decide(
        actor=institution_admin,
        disclosure=a,
        decision="file_invention",
        reasons="好",
        novelty_notes="新",
        deadline=today + timedelta(days=10),
    )
    services.filing_record(
        actor=institution_admin, disclosure=a, filed_on=today, app_no=app_no("202410123456")
    )
    services.evaluation_decide(
        actor=institution_admin, disclosure=b, decision="know_how", reasons="工艺秘密", deadline=None
    )
    direct = Patent.objects.create(
        app_no=app_no("202410999999"), patent_type="invention", title="直接申请", application_date=today
    )
    InventoryRecord.objects.create(organization=university, patent=direct)
    other = Patent.objects.create(
        app_no=app_no("202410888888"), patent_type="invention", title="乙", application_date=today
    )
    InventoryRecord.objects.create(organization=other_university, patent=other)
    return today.year


def test_counts_of_a_region(scenario, university):
    s = disclosure_statistics(year=scenario, region_prefix="50")
    assert (s.disclosures, s.decided, s.filings) == (3, 2, 1)
    assert s.outcomes == {"申请发明专利": 1, "作为技术秘密保护": 1}
    assert (s.applications, s.applications_evaluated, s.evaluated_share_percent) == (2, 1, 50.0)
    assert s.overdue == 0
    assert disclosure_statistics(year=scenario, region_prefix="11").disclosures == 0
    inst = disclosure_statistics(year=scenario, institution_id=university.pk)
    assert inst.as_dict() == {**s.as_dict(), "region_prefix": "", "institution_id": university.pk}
    assert disclosure_statistics(year=scenario - 1, region_prefix="50").disclosures == 0


def test_scope_of_each_role(office_user, institution_admin, inventor, university):
    assert statistics_scope(office_user) == ("50", None)
    assert statistics_scope(office_user, prefix="5001") == ("5001", None)
    with pytest.raises(PermissionRefused):
        statistics_scope(office_user, prefix="11")
    assert statistics_scope(institution_admin) == ("", university.pk)
    with pytest.raises(PermissionRefused):
        statistics_scope(inventor)


def test_dashboard_api_and_command_show_the_figures(scenario, office_user):
    c = Client()
    c.force_login(office_user)
    page = c.get("/monitoring/").content.decode()
    assert "收到技术交底 3 份，完成申请前评估 2 份，据此提出专利申请 1 件" in page
    assert "50.0%（1/2）" in page
    assert DISCLOSURE["title"] not in page  # counts only
    body = c.get("/api/disclosures/stats").json()
    assert body["disclosures"] == 3 and body["evaluated_share_percent"] == 50.0
    assert c.get("/api/disclosures/stats?region=11").status_code == 403
    out = StringIO()
    call_command("disclosures", "stats", "--json", "--region", "50", stdout=out)
    assert json.loads(out.getvalue())["outcomes"] == {"申请发明专利": 1, "作为技术秘密保护": 1}


def test_deadline_reminders(inventor, institution_admin):
    d = services.disclosure_create(actor=inventor, submit=True, content=DisclosureContent(**DISCLOSURE))
    services.evaluation_decide(
        actor=institution_admin,
        disclosure=d,
        decision="file_utility",
        reasons="好",
        novelty_notes="新",
        deadline=timezone.localdate() + timedelta(days=5),
    )
    out = StringIO()
    call_command("disclosures", "deadlines", "--within", "7", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["title"], r["overdue"], r["decision"]) for r in rows] == [
        (DISCLOSURE["title"], False, "申请实用新型专利")
    ]
    out = StringIO()
    call_command("disclosures", "deadlines", "--within", "3", "--json", stdout=out)
    assert json.loads(out.getvalue()) == []
