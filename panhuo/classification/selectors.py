"""Reads of the classification reference data. Reference data is public: no tenant filter is needed."""

from __future__ import annotations

import threading

from django.db.models import Q, QuerySet

from engine.classification.scope import IndustrySuggestion, IndustryText, ScopeSuggester
from panhuo.classification.models import Industry, IndustryTag, IpcNode

__all__ = [
    "IndustrySuggestion",
    "suggest_industries_for_scope",
    "industry_get",
    "industry_search",
    "ipc_get",
    "ipc_search",
    "industry_tags",
]

_lock = threading.Lock()
_suggester: tuple[tuple[int, int], ScopeSuggester] | None = None


def _scope_suggester() -> ScopeSuggester:
    """One suggester per process, rebuilt when the GB/T 4754 table changes (count, max id)."""
    global _suggester
    classes = Industry.objects.filter(level=4)
    stamp = (classes.count(), max(classes.values_list("id", flat=True), default=0))
    with _lock:
        if _suggester is None or _suggester[0] != stamp:
            names = dict(Industry.objects.filter(level__in=(2, 3)).values_list("code", "name"))
            texts = [
                IndustryText(
                    code=c.code,
                    name=c.name,
                    notes=c.description,
                    parent_names=f"{names.get(c.parent_code, '')} {names.get(c.code[:2], '')}",
                )
                for c in classes.order_by("code")
            ]
            _suggester = (stamp, ScopeSuggester(texts))
        return _suggester[1]


def suggest_industries_for_scope(text: str, top: int = 5) -> list[IndustrySuggestion]:
    """经营范围 (and/or company name) -> the best GB/T 4754 小类, each with a 0..1 score and the matched terms.

    Empty list when the text has no content words or the reference data is not loaded.
    """
    if not (text or "").strip():
        return []
    return _scope_suggester().suggest(text, top=top)


def industry_get(code: str) -> Industry | None:
    return Industry.objects.filter(code=(code or "").strip().upper()).first()


def industry_search(query: str, limit: int = 50) -> QuerySet[Industry]:
    q = (query or "").strip()
    qs = Industry.objects.all()
    if q:
        qs = qs.filter(Q(code__startswith=q.upper()) | Q(name__contains=q) | Q(description__contains=q))
    return qs.order_by("code")[:limit]


def industry_tags(code: str) -> QuerySet[IndustryTag]:
    return IndustryTag.objects.filter(code=code).order_by("tag", "category_path")


def ipc_get(code: str) -> IpcNode | None:
    return IpcNode.objects.filter(code=code).first()


def ipc_search(query: str, limit: int = 50) -> QuerySet[IpcNode]:
    from engine.classification.ipc import IpcError, normalise_ipc

    q = (query or "").strip()
    qs = IpcNode.objects.all()
    if q:
        try:
            code = normalise_ipc(q)
            qs = qs.filter(code__startswith=code)
        except IpcError:
            qs = qs.filter(title__contains=q)
    return qs.order_by("code")[:limit]
