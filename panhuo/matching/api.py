"""Matching API: need/free text → patents, patent → enterprises (session auth)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from engine.matching import MatchHit
from panhuo.accounts.acting import acting_user
from panhuo.common.errors import ApplicationError
from panhuo.matching import selectors

router = Router()


class HitOut(Schema):
    key: str
    title: str
    ipc: list[str]
    score: float
    components: dict[str, float]
    reasons: list[str]


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str
    field: str | None = None


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
        acting_user(request), params.q, industry=params.industry, ipc=params.ipc, top_k=params.top
    )
    return [_hit(m.patent.key, m.patent.title, list(m.patent.ipc_codes or []), m.hit) for m in matches]


@router.get("/patents/{patent}/enterprises", response={200: list[HitOut], 400: ErrorOut, 404: ErrorOut})
def match_enterprises(request: HttpRequest, patent: str, top: int = 10) -> list[dict[str, Any]]:
    """专利 → 推荐企业 (institution staff, agencies, IP offices). `patent`: id, 申请号 or publication number.

    A patent that does not exist or is not visible to the caller: 404 with a Chinese and English message. Until the
    patent or the enterprise index is indexed, the hits come from the keyword index and each says so in `reasons`.
    """
    if not 1 <= top <= 50:
        raise ApplicationError("bad_top_k", "返回条数须在 1–50 之间", "top must be 1–50", "top")
    _, found = selectors.enterprises_for_patent(request.user, patent, top_k=top)  # type: ignore[arg-type]
    return [
        _hit(m.organization.credit_code or str(m.organization.pk), m.organization.name, [], m.hit)
        for m in found.matches
    ]
