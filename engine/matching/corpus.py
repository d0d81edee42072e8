"""What the index reads of a patent: one home for the BM25 text, the dense text and the IPC labels."""

from __future__ import annotations

from collections.abc import Iterable

ABSTRACT_CHARS = 600  # BM25 text: title + abstract head
DENSE_ABSTRACT_CHARS = 100  # dense text: title + the first ~100 characters of the abstract (docs/matching.md)


def document_text(title: str, abstract: str) -> str:
    return f"{title}。{(abstract or '')[:ABSTRACT_CHARS]}"


def dense_text(title: str, abstract: str) -> str:
    return f"{title}。{(abstract or '')[:DENSE_ABSTRACT_CHARS]}"


def ipc_labels(codes: Iterable[str]) -> list[str]:
    """'ipc:G06F' per distinct subclass of IPC codes (spaces removed, upper-cased)."""
    out: list[str] = []
    for code in codes:
        code = (code or "").replace(" ", "").strip().upper()
        if len(code) >= 4 and f"ipc:{code[:4]}" not in out:
            out.append(f"ipc:{code[:4]}")
    return out
