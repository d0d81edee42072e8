"""One check for "nothing internal reaches the screen": finds raw identifiers in a page's visible text.

Flags snake_case tokens (`licence_filing`, `min_score`, `highTech_mfg`), scheme:code tokens (`gbt4754:40`), Python reprs (`['`, `True`, `None`, `{'`), dotted
model or audit names (`monitoring.KpiIndicator`, `kpi.indicator_manual`) and repository paths
(`shared/seeds/003_….txt`, `panhuo/…py`). Used by every browser journey; unit-tested on real page text.
"""

from __future__ import annotations

import re

PATTERNS: dict[str, re.Pattern[str]] = {
    "snake_case": re.compile(r"(?<![\w.@-])[a-zA-Z][a-zA-Z0-9]*(?:_[a-zA-Z0-9]+)+(?![\w@-])"),
    "scheme_code": re.compile(r"(?<![\w/])[a-z][a-z0-9]*:[A-Za-z0-9]+(?![\w/])"),
    "python_repr": re.compile(r"\[['\"]|['\"]\]|\{['\"]|(?<![\w-])(?:True|False|None)(?![\w-])"),
    "dotted_name": re.compile(r"(?<![\w/.])[a-z_]+\.(?:[A-Z][A-Za-z]+|[a-z]+_[a-z_]+)(?![\w/])"),
    "repository_path": re.compile(
        r"(?<![\w])(?:shared|seeds|panhuo|engine|reference|config|docs)/[\w./-]+|[\w-]+\.py(?![\w])"
    ),
}


def raw_identifiers(text: str) -> list[tuple[str, str]]:
    """(kind, token) for each raw identifier in `text`, in order of appearance within each kind."""
    found: list[tuple[str, str]] = []
    for kind, pattern in PATTERNS.items():
        found.extend((kind, m.group(0)) for m in pattern.finditer(text))
    return found
