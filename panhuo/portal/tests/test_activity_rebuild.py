"""`panhuo activity_rebuild`: counters bumped by the real services, corrupted, then reconciled."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from panhuo.accounts.models import OrganizationType
from panhuo.common.models import AuditEvent
from panhuo.deals.models import DealKind
from panhuo.deals.services.common import apply_activity
from panhuo.demand.services.engagement import favourite_toggle
from panhuo.demand.services.needs import need_create
from panhuo.evaluation.services import assessment_enterprise_create
from panhuo.evaluation.tests.factories import make_patent
from panhuo.monitoring.tests.factories import deal, org
from panhuo.patents.models import PatentActivity

pytestmark = pytest.mark.django_db

COUNTERS = (
    "licences",
    "pledges",
    "favourites",
    "matching_needs",
    "enterprise_evaluations",
    "positive_evaluations",
)


def _counters(patent):
    return PatentActivity.objects.filter(patent=patent).values(*COUNTERS).get()


@pytest.fixture
def bumped(university, enterprise_user):
    p = make_patent(holder=university)
    q = make_patent(holder=university)
    favourite_toggle(actor=enterprise_user, patent=p)
    need_create(
        actor=enterprise_user,
        title="需要一种方法",
        description="用于测试",
        wanted_mode="licence",
        patent_ids=[p.pk],
    )
    assessment_enterprise_create(
        actor=enterprise_user, patent=p, prospect="good", improvement_need="", cooperation="some"
    )
    buyer = org(OrganizationType.ENTERPRISE, "500107", sme=True)
    for kind in (DealKind.LICENCE, DealKind.PLEDGE):
        apply_activity(deal(kind, university, buyer, [p]), None)
    truth = {
        "licences": 1,
        "pledges": 1,
        "favourites": 1,
        "matching_needs": 1,
        "enterprise_evaluations": 1,
        "positive_evaluations": 1,
    }
    assert _counters(p) == truth  # what the services wrote
    return p, q, truth


def test_consistent_counters_need_no_fix(bumped):
    out = io.StringIO()
    call_command("activity_rebuild", "--check", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"fixed": 0, "drift": []}


def test_corrupted_counters_are_found_then_fixed(bumped):
    p, q, truth = bumped
    PatentActivity.objects.filter(patent=p).update(licences=7, favourites=0, positive_evaluations=3)
    PatentActivity.objects.filter(patent=q).update(matching_needs=2)
    audits = AuditEvent.objects.count()

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("activity_rebuild", "--check", "--json", stdout=out)
    drift = {
        (d["patent"], d["counter"]): (d["stored"], d["expected"]) for d in json.loads(out.getvalue())["drift"]
    }
    assert drift == {
        (p.pk, "licences"): (7, 1),
        (p.pk, "favourites"): (0, 1),
        (p.pk, "positive_evaluations"): (3, 1),
        (q.pk, "matching_needs"): (2, 0),
    }
    assert _counters(p)["licences"] == 7 and AuditEvent.objects.count() == audits  # --check changed nothing

    out = io.StringIO()
    call_command("activity_rebuild", "--json", stdout=out)
    assert json.loads(out.getvalue())["fixed"] == 4
    assert _counters(p) == truth
    assert _counters(q) == dict.fromkeys(COUNTERS, 0)
    assert AuditEvent.objects.filter(action="patent.activity_reconcile").count() == 1
    out = io.StringIO()
    call_command("activity_rebuild", "--check", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"fixed": 0, "drift": []}
