"""The 质押融资 demo: applications in every state from the demo university's held patents, labelled, two banks each
seeing its own, idempotent."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.utils import timezone

from engine.identifiers.application_number import check_character
from panhuo.accounts.models import OrganizationType, Role
from panhuo.evaluation.models import Scenario, ValueScore, WeightSet
from panhuo.financing import demo, selectors
from panhuo.financing.models import ApplicationStatus, PledgeApplication
from panhuo.patents.models import Patent
from panhuo.patents.rights.services import rights_holder_add

pytestmark = pytest.mark.django_db


def test_demo_covers_every_state_and_is_idempotent(university, make_org, make_user):
    make_user(Role.INSTITUTION_ADMIN, university, username="demo_institution_admin")
    bank1 = make_user(Role.BANK_USER, make_org(OrganizationType.BANK, code="DEMO-BANK"), username="demo_bank")
    bank2 = make_user(
        Role.BANK_USER, make_org(OrganizationType.BANK, code="DEMO-BANK-2"), username="demo_bank2"
    )
    ws = WeightSet.objects.filter(scenario=Scenario.FINANCE).first() or WeightSet.objects.create(
        scenario=Scenario.FINANCE, version=97, weights={}
    )
    for n in range(9):
        digits = f"2021400{n:05d}"
        p = Patent.objects.create(
            app_no=f"{digits}.{check_character(digits)}", title=f"演示{n}", grant_date=date(2022, 1, 1)
        )
        rights_holder_add(patent_ids=[p.pk], organization=university, source="import")
        ValueScore.objects.create(
            patent=p,
            scenario=Scenario.FINANCE,
            weight_set=ws,
            model_version="t",
            score=60.0,
            computed_at=timezone.now(),
        )
    demo.load(StringIO())
    statuses = set(PledgeApplication.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    assert all(PledgeApplication.objects.values_list("is_demo", flat=True))
    assert selectors.applications_visible(bank2).count() == 1
    assert selectors.applications_visible(bank1).count() == 7
    demo.load(StringIO())
    assert PledgeApplication.objects.count() == 8
