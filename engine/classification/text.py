"""Chinese text to terms for the classification engine (rjieba words, minus generic business words)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import rjieba

# Words that say nothing about the industry (经营范围 boilerplate, IPC connective words).
STOPWORDS = frozenset(
    """
    的 和 与 及 或 等 其 其他 其它 以及 用于 用 于 在 为 对 由 中 上 下 有 无 不 非 之 各种 各类 一般 项目 许可
    经营 依法 须经 批准 批准后 方可 开展 活动 具体 经营项目 以 相关 部门 文件 许可证件 为准 除 外 凭 营业执照
    自主 开展 经营活动 销售 生产 加工 制造 研发 研究 开发 技术 服务 咨询 推广 转让 交流 技术开发 技术咨询
    技术服务 技术转让 技术交流 技术推广 进出口 货物 代理 国内 贸易 业务 产品 设备 装置 方法 系统
    包括 不 包括 指 类 本 该 所 从事 提供 除外 专用 通用 未 列明 下列 分类 包含 此类 小类 中类 大类 门类 具有
    特别 适用 利用 使用 应用 一种 可 以上 以下 所述 组合 部件 零件 其余 有关 方面 领域 及其 用途
    演示 合成演示 demo synthetic
    """.split()
)  # the last line: labels the demo data carries ("（演示）"), not words about an industry
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_HAS_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# IPC titles carry references such as "（入A01C5/00）"; they point elsewhere, so drop them.
_IPC_REF = re.compile(r"[（(][^（）()]*[A-H]\d{2}[A-Z][^（）()]*[）)]")


def clean_ipc_title(title: str) -> str:
    return _IPC_REF.sub("", title or "")


def terms(text: str) -> list[str]:
    """Content words of `text` (NFKC, lower case), in order, repeats kept."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    out: list[str] = []
    for word in rjieba.cut(text):
        word = word.strip()
        if len(word) < 2 and not ("\u4e00" <= word[:1] <= "\u9fff"):
            continue
        if word in STOPWORDS or not _HAS_WORD.search(word) or _PUNCT.fullmatch(word):
            continue
        if len(word) == 1:
            continue  # single characters are too ambiguous for industry placement
        out.append(word)
    return out


@dataclass
class TfidfIndex:
    """Sparse TF-IDF vectors over a fixed set of documents, cosine scored through postings."""

    doc_ids: list[str]
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Sequence[tuple[str, Counter[str]]]) -> TfidfIndex:
        n = len(docs)
        df: Counter[str] = Counter()
        for _, bag in docs:
            df.update(bag.keys())
        idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        index = cls(doc_ids=[d for d, _ in docs], idf=idf)
        for i, (_, bag) in enumerate(docs):
            weights = {t: (1.0 + math.log(c)) * idf[t] for t, c in bag.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for t, w in weights.items():
                index.postings.setdefault(t, []).append((i, w / norm))
        return index

    def query(self, bag: Counter[str]) -> dict[int, float]:
        """Cosine similarity of the query bag with every document that shares a term."""
        weights = {t: (1.0 + math.log(c)) * self.idf[t] for t, c in bag.items() if t in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        scores: dict[int, float] = {}
        for t, w in weights.items():
            qw = w / norm
            for i, dw in self.postings[t]:
                scores[i] = scores.get(i, 0.0) + qw * dw
        return scores


def bag(parts: Iterable[tuple[str, int]]) -> Counter[str]:
    """Term counts of several texts, each repeated `weight` times (names count more than notes)."""
    out: Counter[str] = Counter()
    for text, weight in parts:
        for t in terms(text):
            out[t] += weight
    return out
