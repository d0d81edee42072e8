from __future__ import annotations

import pytest

from panhuo.evaluation.models import ValueScore
from panhuo.evaluation.scoring import scores_recompute

from .factories import make_patent


@pytest.fixture
def world(university, other_university):
    mine = make_patent(holder=university, state="draft")
    theirs = make_patent(holder=other_university, state="draft")
    scores_recompute()
    return mine, theirs


def test_score_api_isolation_and_shape(client, institution_admin, world):
    mine, theirs = world
    client.force_login(institution_admin)
    r = client.get(f"/api/evaluation/patents/{mine.pk}/score?scenario=finance")
    assert r.status_code == 200
    doc = r.json()
    assert doc["patent"] == mine.key and doc["scenario"] == "finance"
    # The explanation (weights × stored values) reproduces the score the batch path stored.
    stored = ValueScore.objects.get(patent=mine, scenario="finance").score
    assert doc["score"] == pytest.approx(stored, abs=1e-5) and doc["score"] > 0
    assert client.get(f"/api/evaluation/patents/{theirs.pk}/score").status_code == 404
    rows = client.get("/api/evaluation/scores").json()
    assert [row["key"] for row in rows["results"]] == [mine.key]


def test_score_api_needs_session(client, world):
    mine, _ = world
    assert client.get(f"/api/evaluation/patents/{mine.pk}/score").status_code == 401
