"""Classification API: IPC lookup, industry lookup/search, classify IPC codes or a business scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from engine.classification.ipc import IpcError, parse_ipc, split_ipc_list
from panhuo.classification import selectors
from panhuo.classification.classifier import classify_codes
from panhuo.common.errors import ApplicationError, NotFound

router = Router(tags=["classification"])


class IpcOut(Schema):
    code: str
    level: str
    parent: str
    title: str
    historic: bool = False


class IndustryOut(Schema):
    code: str
    level: int
    name: str
    parent_code: str
    section: str
    description: str


class Scored(Schema):
    code: str
    name: str
    confidence: float
    source: str


class ClassifyOut(Schema):
    ipc: str
    industries: list[Scored]
    sei: list[Scored]
    tags: list[dict[str, object]]
    derived: bool
    historic: list[str]


class ScopeIn(Schema):
    text: str
    top: int = 5


class SuggestionOut(Schema):
    code: str
    name: str
    score: float
    matched_terms: list[str]


def _ipc_error(exc: IpcError) -> ApplicationError:
    return ApplicationError(exc.code, exc.message_zh, exc.message_en, "ipc")


@router.get("/ipc", response=IpcOut)
def ipc_lookup(request: HttpRequest, code: str) -> IpcOut:
    try:
        canonical = parse_ipc(code).code
    except IpcError as exc:
        raise _ipc_error(exc) from exc
    node = selectors.ipc_get(canonical)
    if node is None:
        raise NotFound("该分类号不在 IPC 2026.01 中", "code not in IPC 2026.01")
    return IpcOut(code=node.code, level=node.level, parent=node.parent, title=node.title)


@router.get("/ipc/search", response=list[IpcOut])
def ipc_search(request: HttpRequest, q: str, limit: int = 50) -> list[IpcOut]:
    return [
        IpcOut(code=n.code, level=n.level, parent=n.parent, title=n.title)
        for n in selectors.ipc_search(q, limit=max(1, min(limit, 200)))
    ]


@router.get("/industries/{code}", response=IndustryOut)
def industry_lookup(request: HttpRequest, code: str) -> IndustryOut:
    ind = selectors.industry_get(code)
    if ind is None:
        raise NotFound("未找到该行业代码", "industry code not found")
    return IndustryOut.from_orm(ind)


@router.get("/industries", response=list[IndustryOut])
def industry_search(request: HttpRequest, q: str = "", limit: int = 50) -> list[IndustryOut]:
    return [IndustryOut.from_orm(i) for i in selectors.industry_search(q, limit=max(1, min(limit, 200)))]


@router.get("/classify", response=ClassifyOut)
def classify(request: HttpRequest, ipc: str, title: str = "") -> ClassifyOut:
    """IPC codes (several separated by ; or ,; main first) -> GB/T 4754 industries (derived when no official table)."""
    try:
        c = classify_codes(split_ipc_list(ipc), title or None)
    except IpcError as exc:
        raise _ipc_error(exc) from exc
    kind = "derived" if c.industry_derived else "official"
    return ClassifyOut(
        ipc=c.ipc[0],
        industries=[
            Scored(code=h.code, name=h.name, confidence=h.confidence, source=f"{kind}:{c.industry_edition}")
            for h in c.industries
        ],
        sei=[
            Scored(
                code=h.code, name=h.name, confidence=h.confidence, source=h.sources[0] if h.sources else ""
            )
            for h in c.sei
        ],
        tags=c.tags,
        derived=c.industry_derived,
        historic=[r.original for r in c.revised if r.historic],
    )


@router.post("/scope", response=list[SuggestionOut])
def scope_suggest(request: HttpRequest, payload: ScopeIn) -> list[SuggestionOut]:
    """经营范围 -> suggested GB/T 4754 小类 with scores and the matched terms."""
    if len(payload.text) > 10000:
        raise ApplicationError("scope_too_long", "经营范围过长", "scope text too long", "text")
    return [
        SuggestionOut(code=s.code, name=s.name, score=s.score, matched_terms=list(s.matched_terms))
        for s in selectors.suggest_industries_for_scope(payload.text, top=max(1, min(payload.top, 20)))
    ]
