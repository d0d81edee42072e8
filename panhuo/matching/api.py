"""Matching API: need/free text → patents, patent → enterprises (session auth)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from engine.matching import MatchHit
from panhuo.matching import selectors

router = Router()


class HitOut(Schema):
    key: str
    title: str
    ipc: list[str]
    score: float
    components: dict[str, float]
    reasons: list[str]


class SearchIn(Schema):
    q: str
    industry: str = ""
    ipc: list[str] = []
    top: int = 10


def _hit(key: str, title: str, ipc: list[str], hit: MatchHit) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "ipc": ipc,
        "score": round(hit.score, 4),
        "components": hit.components,
        "reasons": list(hit.reasons),
    }


@router.get("/patents", response=list[HitOut])
def match_patents(request: HttpRequest, params: Query[SearchIn]) -> list[dict[str, Any]]:
    """需求/关键词 → 入库专利 (enterprises only ever see pooled patents)."""
    matches = selectors.patents_for_text(
        request.user, params.q, industry=params.industry, ipc=params.ipc, top_k=params.top
    )
    return [_hit(m.patent.key, m.patent.title, list(m.patent.ipc_codes or []), m.hit) for m in matches]


@router.get("/patents/{patent_id}/enterprises", response=list[HitOut])
def match_enterprises(request: HttpRequest, patent_id: int, top: int = 10) -> list[dict[str, Any]]:
    """专利 → 推荐企业 (institution staff, agencies, IP offices)."""
    _, matches = selectors.enterprises_for_patent(request.user, patent_id, top_k=max(1, min(top, 50)))
    return [
        _hit(m.organization.credit_code or str(m.organization.pk), m.organization.name, [], m.hit)
        for m in matches
    ]
