"""Chinese text processing for search: normalisation, rjieba segmentation with a patent-domain dictionary."""

from engine.text.tokenizer import (
    STOP_WORDS,
    JiebaTokenizer,
    Tokenizer,
    domain_words_from_ipc_titles,
    normalise_text,
)

__all__ = [
    "STOP_WORDS",
    "JiebaTokenizer",
    "Tokenizer",
    "domain_words_from_ipc_titles",
    "normalise_text",
]
