from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from panhuo.evaluation.models import Scenario, ValueScore, WeightSet
from panhuo.evaluation.scoring import scores_recompute
from panhuo.evaluation.selectors import score_document
from panhuo.evaluation.services import weightset_create
from panhuo.patents.activity import activity_bump, activity_set
from panhuo.patents.models import PatentIndustry

from .factories import make_patent

TODAY = date(2026, 1, 15)
# a: high value (SEI, overseas) with positive enterprise evaluations and a score ≥ 65 → 主动经纪
TIER_OF_A = "proactive"


@pytest.fixture
def patents(university, other_university):
    a = make_patent(holder=university, trl=7, self_grade="A", overseas_granted=True, family_size=4)
    b = make_patent(
        holder=university, claims=None, application_date=date(2014, 1, 2), grant_date=date(2016, 1, 1)
    )
    c = make_patent(holder=other_university, patent_type="utility", grant_date=date(2018, 1, 1))
    d = make_patent(holder=university, legal_status="lapsed")
    PatentIndustry.objects.create(patent=a, scheme="sei", code="1.1", name="新一代信息技术")
    PatentIndustry.objects.create(patent=b, scheme="gbt4754", code="6511", name="基础软件开发")
    activity_bump(patent_id=a.pk, licences=1, enterprise_evaluations=2, positive_evaluations=2)
    activity_set(patent_id=b.pk, max_pledge_fen=150_000_000)
    return a, b, c, d


def test_recompute_writes_all_scenarios_with_flags(patents):
    a, b, c, d = patents
    n = scores_recompute(today=TODAY)
    assert n == 4 * 3
    va = ValueScore.objects.get(patent=a, scenario=Scenario.LICENSING)
    assert va.high_value == ["sei_industry", "overseas_granted"]
    assert va.sleeping is False  # licensed
    vb = ValueScore.objects.get(patent=b, scenario=Scenario.LICENSING)
    assert vb.high_value == ["maintained_10y", "pledge"]
    assert vb.sleeping is True and vb.sleeping_years == 10
    assert ValueScore.objects.get(patent=c, scenario="licensing").high_value == []  # utility model
    vd = ValueScore.objects.get(patent=d, scenario="licensing")
    assert vd.sleeping is False and vd.high_value == [] and vd.fee_due_date is None
    assert va.fee_due_date == date(2026, 5, 10)
    assert va.model_version == "gbt42748-1.0/licensing/default/w1"


def test_document_contributions_add_up_and_missing_is_shown(patents):
    a, b, c, d = patents
    scores_recompute(today=TODAY)
    stored = ValueScore.objects.get(patent=b, scenario="finance")
    doc = score_document(stored)
    # Contributions recomputed from the stored values and weights add up to the score the batch path stored.
    assert doc["score"] == pytest.approx(stored.score, abs=1e-5) and doc["score"] > 0
    by = {i["name"]: i for i in doc["indicators"]}
    assert by["claims"]["missing"] is True and by["claims"]["weight"] == 0.0
    assert by["maturity"]["missing"] is True
    assert "claims" in doc["missing"]
    assert sum(i["weight"] for i in doc["indicators"]) == pytest.approx(1.0, abs=1e-5)
    assert by["sei_industry"]["value"] == 0.0  # classified, not SEI
    assert ValueScore.objects.get(patent=c, scenario="finance").values[[*by].index("sei_industry")] is None


def test_weight_change_new_version_old_score_reproducible(patents, institution_admin, university):
    a, *_ = patents
    scores_recompute(today=TODAY)
    old = ValueScore.objects.get(patent=a, scenario="licensing")
    old_doc = score_document(old)
    weights = dict(WeightSet.objects.get(organization=None, scenario="licensing").weights)
    weights["maturity"] = 0.5
    ws = weightset_create(
        actor=institution_admin, organization=university, scenario="licensing", weights=weights
    )
    assert ws.version == 1 and ws.model_version == "gbt42748-1.0/licensing/UNI-A/w1"
    # The stored score still explains itself with the weights it was computed with.
    assert score_document(ValueScore.objects.get(pk=old.pk))["score"] == old_doc["score"]
    scores_recompute(organization_id=university.pk, today=TODAY)
    new = ValueScore.objects.get(patent=a, scenario="licensing")
    assert new.model_version == "gbt42748-1.0/licensing/UNI-A/w1"
    assert new.score != old.score
    assert new.score == pytest.approx(score_document(new)["score"], abs=1e-5)
    ws2 = weightset_create(
        actor=institution_admin, organization=university, scenario="licensing", weights=weights
    )
    assert ws2.version == 2


def test_cli_json_shape(patents):
    a, *_ = patents
    out = io.StringIO()
    call_command("score", "--patent", a.app_no, "--scenario", "licensing", "--json", stdout=out)
    doc = json.loads(out.getvalue())
    assert list(doc) == [
        "patent",
        "score",
        "model_version",
        "dimensions",
        "indicators",
        "high_value",
        "sleeping",
        "tier",
        "tier_reason",
    ]
    assert doc["patent"] == a.app_no
    assert set(doc["dimensions"]) == {"legal", "technical", "economic"}
    assert [list(i) for i in doc["indicators"]] == [
        ["name", "dimension", "value", "weight", "contribution", "missing"]
    ] * len(doc["indicators"])
    assert len(doc["indicators"]) == 20
    stored = ValueScore.objects.get(patent=a, scenario="licensing")
    assert doc["score"] == pytest.approx(stored.score, abs=1e-5) and doc["score"] > 0
    assert doc["tier"] == stored.tier == TIER_OF_A and stored.score >= 65.0
    out = io.StringIO()
    call_command("score", "--all", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "已评分 scored rows: 12"  # 4 patents × 3 scenarios


def test_a_changed_input_is_rescored_by_the_minute_task_and_nothing_else(patents):
    """After 建档 changes TRL and 自评, the worker's minute task brings that patent's scores up to date."""
    from django.utils import timezone

    from panhuo.evaluation.scoring import changed_since_scored, scores_refresh_changed
    from panhuo.patents.models import InventoryRecord

    a, b, c, d = patents
    scores_recompute(today=TODAY)
    assert changed_since_scored() == []
    before = {v.pk: (v.computed_at, v.raw) for v in ValueScore.objects.all()}
    record = InventoryRecord.objects.get(patent=b)
    record.trl, record.value_self_grade = 6, "B"
    record.save()
    assert changed_since_scored() == [b.pk]
    assert scores_refresh_changed() == 3  # b, in each of the three scenarios
    after = {v.pk: (v.computed_at, v.raw) for v in ValueScore.objects.all()}
    changed = {pk for pk in after if after[pk] != before[pk]}
    assert changed == set(ValueScore.objects.filter(patent=b).values_list("pk", flat=True))
    assert changed_since_scored() == [] and changed_since_scored(now=timezone.now()) == []
