"""Evaluation API: a patent's explained value score, the visible score list, rescore job status."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema

from panhuo.common.errors import NotFound
from panhuo.evaluation import selectors
from panhuo.evaluation.models import Scenario, ScoreJob, ValueScore

router = Router()


class IndicatorOut(Schema):
    name: str
    label: str
    dimension: str
    raw: float | None
    value: float | None
    base_weight: float
    weight: float
    contribution: float
    missing: bool


class ScoreOut(Schema):
    patent: str
    scenario: str
    score: float
    model_version: str
    dimensions: dict[str, float | None]
    indicators: list[IndicatorOut]
    missing: list[str]
    high_value: list[str]
    sleeping: bool
    tier: str
    tier_reason: str
    computed_at: str


class ScoreRowOut(Schema):
    patent_id: int
    key: str
    title: str
    score: float
    tier: str
    high_value: list[str]
    sleeping: bool
    model_version: str


class ScorePageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[ScoreRowOut]


class ScoreQuery(Schema):
    scenario: str = Scenario.MANAGEMENT
    tier: str = ""
    min_score: float | None = None
    max_score: float | None = None
    high_value: str = ""
    sleeping: bool | None = None
    industry: str = ""
    page: int = 1


class JobOut(Schema):
    id: int
    state: str
    done: int
    total: int


def _user(request: HttpRequest) -> Any:
    return request.user


@router.get("/patents/{patent_id}/score", response=ScoreOut)
def patent_score(request: HttpRequest, patent_id: int, scenario: str = Scenario.MANAGEMENT) -> dict[str, Any]:
    """The explained score (contributions add up to the score); 404 for a patent the user may not see."""
    if not selectors.patents_visible(_user(request)).filter(pk=patent_id).exists():
        raise NotFound()
    vs = (
        ValueScore.objects.select_related("patent", "weight_set")
        .filter(patent_id=patent_id, scenario=scenario)
        .first()
    )
    if vs is None:
        raise NotFound("尚未评分", "Not scored yet")
    return selectors.score_document(vs)


@router.get("/scores", response=ScorePageOut)
def scores(request: HttpRequest, q: Query[ScoreQuery]) -> dict[str, Any]:
    f = selectors.ScoreFilters(
        scenario=q.scenario if q.scenario in Scenario.values else Scenario.MANAGEMENT,
        tier=q.tier,
        min_score=q.min_score,
        max_score=q.max_score,
        high_value=q.high_value,
        sleeping=q.sleeping,
        industry=q.industry,
    )
    page = Paginator(selectors.score_list(_user(request), f), 100).get_page(q.page)
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "results": [
            {
                "patent_id": vs.patent_id,
                "key": vs.patent.key,
                "title": vs.patent.title,
                "score": vs.score,
                "tier": vs.tier,
                "high_value": vs.high_value,
                "sleeping": vs.sleeping,
                "model_version": vs.model_version,
            }
            for vs in page
        ],
    }


@router.get("/jobs/{job_id}", response=JobOut)
def job_status(request: HttpRequest, job_id: int) -> ScoreJob:
    user = _user(request)
    org = None if user.role == "system_admin" else user.organization
    job = ScoreJob.objects.filter(pk=job_id, organization=org).first()
    if job is None or user.role not in ("institution_admin", "system_admin"):
        raise NotFound()
    return job
