from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from engine.text import STOP_WORDS, JiebaTokenizer, domain_words_from_ipc_titles, normalise_text

IPC_FILE = Path(__file__).resolve().parents[3] / "reference" / "ipc" / "ipc_2026_01_zh.csv"


def test_user_dictionary_keeps_domain_terms_whole():
    plain = JiebaTokenizer()
    assert "高镍三元正极" not in plain.tokens("一种高镍三元正极的制备方法")
    tok = JiebaTokenizer(["高镍三元正极"])
    assert tok.tokens("一种高镍三元正极的制备方法") == ["高镍三元正极", "制备"]
    assert tok.user_word_count == 1


def test_search_tokens_add_subwords_and_drop_stop_words():
    tok = JiebaTokenizer()
    tokens = tok.search_tokens("一种用于太阳能电池的装置")
    assert tokens == ["太阳", "太阳能", "电池"]
    assert JiebaTokenizer(["太阳能电池"]).search_tokens("太阳能电池") == [
        "太阳",
        "电池",
        "太阳能",
        "太阳能电池",
    ]
    assert not set(tokens) & STOP_WORDS


def test_normalise_full_width_and_case():
    assert normalise_text("ＰＬＣ控制　系统 ") == "plc控制 系统"
    assert JiebaTokenizer().tokens("ＰＬＣ") == ["plc"]


def test_domain_words_from_repo_ipc_titles():
    words = domain_words_from_ipc_titles(IPC_FILE)
    assert len(words) > 10000
    assert {"半导体器件", "电池", "磁共振"} <= set(words)
    assert words == sorted(words)
    assert not set(words) & STOP_WORDS


@given(st.text(max_size=60))
def test_tokens_never_contain_blank_or_stop_words(text):
    tok = _TOK
    for t in tok.tokens(text) + tok.search_tokens(text):
        assert t.strip() and t not in STOP_WORDS


_TOK = JiebaTokenizer()
