"""高价值 categories 2 (overseas granted family member) and 5 (award) fire once the holder enters the facts
through `upkeep` (before, nothing could set them)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.identifiers.application_number import check_character
from panhuo.evaluation.models import Scenario, ValueScore
from panhuo.evaluation.scoring import scores_recompute
from panhuo.patents.models import InventoryRecord, LegalStatus, Patent
from panhuo.upkeep import services

pytestmark = pytest.mark.django_db


def test_overseas_family_and_award_make_the_categories_fire(university, institution_admin):
    body = "201810123456"
    patent = Patent.objects.create(
        app_no=f"{body}.{check_character(body)}",
        patent_type="invention",
        title="一种传感器",
        application_date=date(2018, 3, 10),
        grant_date=date(2020, 5, 1),
        legal_status=LegalStatus.VALID,
    )
    InventoryRecord.objects.create(organization=university, patent=patent)
    scores_recompute()
    before = ValueScore.objects.get(patent=patent, scenario=Scenario.MANAGEMENT).high_value
    assert "overseas_granted" not in before and "award" not in before
    facts = services.facts_validate(
        family_size=3,
        overseas_granted=True,
        claims_count=10,
        independent_claims_count=2,
        citations_forward=None,
        citations_backward=None,
        award="第二十四届中国专利奖优秀奖",
        ownership_dispute=False,
    )
    services.patent_facts_update(actor=institution_admin, patent=patent, facts=facts)
    scores_recompute()
    after = ValueScore.objects.get(patent=patent, scenario=Scenario.MANAGEMENT).high_value
    assert "overseas_granted" in after and "award" in after
