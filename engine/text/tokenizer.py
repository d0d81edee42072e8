"""rjieba tokenizer with a patent-domain user dictionary derived from the Chinese IPC titles."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import rjieba

# Function words and patent boilerplate that carry no topic: dropped before BM25 and the static embedding tier.
STOP_WORDS: frozenset[str] = frozenset(
    """
    一种 一个 一 种 的 了 和 与 及 或 以及 其 所述 该 此 这 那 用于 用 于 在 中 上 下 内 外 对 为 是 有 具有 包括 包含
    由 从 将 把 被 使 让 可 可以 能 能够 并 并且 而 且 如 如下 如果 通过 进行 进而 至少 至 多个 若干 各 每 个 其中
    等 及其 以 之 间 之间 后 前 时 同时 设置 设有 方法 装置 系统 设备 结构 本发明 发明 本申请 申请 实用新型 公开
    涉及 提供 技术 领域 实现 采用 基于 相应 对应 一端 另一端 侧 部 本 所 还 也 不 无 已 即 再 又 则 就 都 得 地 着 过
    """.split()
)

_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Connectives that split an IPC title into candidate domain terms.
_IPC_SPLIT = re.compile(
    r"[^\u4e00-\u9fff]+|的|或|和|与|及|用于|其他|类目|不包含在|以外|专门适用于|特别适用于|例如|所用|一般"
)


class Tokenizer(Protocol):
    """What the index needs from a segmenter."""

    def tokens(self, text: str) -> list[str]:
        """Precise-mode tokens without stop-words (for display and the static embedding tier)."""
        ...

    def search_tokens(self, text: str) -> list[str]:
        """Search-mode tokens (words plus their sub-words) without stop-words (for BM25)."""
        ...


def normalise_text(text: str) -> str:
    """NFKC (full-width → half-width), lower-case ASCII, collapse whitespace."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def domain_words_from_ipc_titles(
    path: Path, *, min_len: int = 2, max_len: int = 6, min_count: int = 2
) -> list[str]:
    """Candidate domain terms: CJK segments of the IPC titles seen at least `min_count` times, sorted.

    File shape: `code,level,parent,title_cn` (reference/ipc/ipc_2026_01_zh.csv).
    """
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for seg in _IPC_SPLIT.split(row.get("title_cn") or ""):
                if min_len <= len(seg) <= max_len and seg not in STOP_WORDS:
                    counts[seg] += 1
    return sorted(w for w, c in counts.items() if c >= min_count)


class JiebaTokenizer:
    """rjieba (jieba-rs) segmentation; `user_words` are added to its dictionary."""

    def __init__(self, user_words: Iterable[str] = (), stop_words: frozenset[str] = STOP_WORDS) -> None:
        self._jieba = rjieba.Jieba()
        self.user_word_count = 0
        for word in user_words:
            self._jieba.add_word(word, None, None)
            self.user_word_count += 1
        self._stop = stop_words

    def _keep(self, token: str) -> bool:
        return bool(token.strip()) and token not in self._stop and bool(_TOKEN_OK.search(token))

    def tokens(self, text: str) -> list[str]:
        return [t for t, kept in self.tokens_marked(text) if kept]

    def tokens_marked(self, text: str) -> list[tuple[str, bool]]:
        """Every precise-mode token in text order, each with whether `tokens` keeps it (not a stop-word or
        symbol): where the dropped ones were matters to a caller gluing neighbours back together."""
        return [(t, self._keep(t)) for t in self._jieba.cut(normalise_text(text), False)]

    def search_tokens(self, text: str) -> list[str]:
        return [t for t in self._jieba.cut_for_search(normalise_text(text), False) if self._keep(t)]
