"""Keyword search over patent titles and abstracts: an SQLite FTS5 trigram index used as an accelerator.

Chinese has no spaces, so the list's keyword search is a substring match (`icontains`). On SQLite a
trigram FTS5 table answers substring queries of 3+ characters from an index instead of scanning every title
and abstract. The index is NOT kept by triggers (that would slow bulk imports); it follows
`Patent.updated_at` through a watermark and is brought up to date in bounded steps: by the search itself
(at most `SYNC_BUDGET` rows per request) and by a background task. Until it has caught up, and for queries
shorter than 3 characters, and on PostgreSQL, search falls back to `icontains`, so results never depend on
the index's state.

    patents_patent_fts(title, abstract)                       rowid = patent id
    patents_patent_fts_state(id=1, updated_at, patent_id)     the watermark (raw DB values)
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from engine.text import JiebaTokenizer, domain_words_from_ipc_titles
from panhuo.common.background import yield_write_lock

log = logging.getLogger(__name__)

FTS_TABLE = "patents_patent_fts"
STATE_TABLE = "patents_patent_fts_state"
MIN_CHARS = 3  # the trigram tokenizer cannot answer shorter substrings
SYNC_BUDGET = 5_000  # rows a search request may index (~0.3 s) before it gives up and falls back
BATCH = 2_000
# The background pass re-reads rows updated this recently: a transaction that stamped updated_at before
# the watermark passed it, but committed after, is picked up within minutes.
REVISIT = timedelta(minutes=2)


def available() -> bool:
    """True on SQLite with an FTS5 build that has the trigram tokenizer (created by migration 0002)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [FTS_TABLE])
        return cursor.fetchone() is not None


def _text(value: object) -> str:
    """A datetime as SQLite stores it ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC), so text comparison is time order."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, UTC)
        return str(value)
    return str(value or "")


def _watermark(cursor: Any) -> tuple[str, int]:
    cursor.execute(f"SELECT updated_at, patent_id FROM {STATE_TABLE} WHERE id = 1")  # noqa: S608
    row = cursor.fetchone()
    return (_text(row[0]), int(row[1])) if row else ("", 0)


def sync(*, limit: int | None = None, revisit: bool = False) -> tuple[int, bool]:
    """Index patents changed since the watermark; returns (rows indexed, caught up).

    `revisit` (the background task) also re-reads rows stamped in the last REVISIT window, in case a
    transaction stamped `updated_at` before the watermark passed it but committed after.
    """
    if not available():
        return 0, False
    done = 0
    with connection.cursor() as cursor:
        pos_at, pos_id = _watermark(cursor)
    if revisit:
        pos_at, pos_id = min((pos_at, pos_id), (_text(timezone.now() - REVISIT), 0))
    elif pending(limit=1) == 0:  # read-only check first: no write lock when nothing changed
        return 0, True
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, title, abstract, updated_at FROM patents_patent "
                "WHERE updated_at > %s OR (updated_at = %s AND id > %s) ORDER BY updated_at, id LIMIT %s",
                [pos_at, pos_at, pos_id, BATCH],
            )
            rows = cursor.fetchall()
            if rows:
                ids = [r[0] for r in rows]
                marks = ",".join("%s" for _ in ids)
                cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE}(rowid, title, abstract) VALUES (%s, %s, %s)",  # noqa: S608
                    [(r[0], r[1] or "", r[2] or "") for r in rows],
                )
                pos_at, pos_id = _text(rows[-1][3]), int(rows[-1][0])
                if (pos_at, pos_id) > _watermark(cursor):  # never moves back (a revisit pass re-reads)
                    cursor.execute(
                        f"INSERT INTO {STATE_TABLE}(id, updated_at, patent_id) VALUES (1, %s, %s) "  # noqa: S608
                        "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, "
                        "patent_id = excluded.patent_id",
                        [pos_at, pos_id],
                    )
        done += len(rows)
        if len(rows) < BATCH:
            return done, True
        if limit is not None and done >= limit:
            return done, False
        if limit is None:  # the background catch-up: let page requests write between its transactions
            yield_write_lock()


def pending(*, limit: int) -> int:
    """Rows changed since the watermark, counted up to `limit` (read-only, on the updated_at index)."""
    with connection.cursor() as cursor:
        pos_at, pos_id = _watermark(cursor)
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM patents_patent WHERE updated_at > %s "
            "OR (updated_at = %s AND id > %s) LIMIT %s)",
            [pos_at, pos_at, pos_id, limit],
        )
        return int(cursor.fetchone()[0])


def current() -> bool:
    """Read-only: can the trigram index answer now (SQLite with FTS5, nothing changed since its watermark)?

    A search never writes: the periodic task (`patents.tasks.search_index_refresh`, every 5 minutes) and the
    post-import task keep the index fresh; until they have caught up, searches use the `icontains` fallback.
    """
    try:
        return available() and pending(limit=1) == 0
    except Exception:  # the index is only an accelerator: never fail a search because of it
        log.exception("patent search index check failed")
        return False


def match_expression(q: str) -> str | None:
    """The FTS5 MATCH string for a substring query, or None when the index cannot answer it."""
    q = q.strip()
    if len(q) < MIN_CHARS:
        return None
    return '"' + q.replace('"', '""') + '"'


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """Patent-domain user dictionary from the repository's IPC titles (reference/ipc, see PROVENANCE.md)."""
    path = Path(settings.BASE_DIR) / "reference" / "ipc" / "ipc_2026_01_zh.csv"
    return tuple(domain_words_from_ipc_titles(path))


@lru_cache(maxsize=1)
def tokenizer() -> JiebaTokenizer:
    """The one segmenter of keyword search and matching (rjieba + the IPC-title domain words)."""
    return JiebaTokenizer(domain_words())


_SPLIT = re.compile(r"[\s,，;；、。]+")
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
MAX_TERMS = 8


def _words(part: str) -> list[str]:
    """Precise-mode words of one query chunk, runs of adjacent single CJK characters merged back (极片 stays
    极片); a dropped stop-word or symbol ends a run, so 习的图 gives 习 and 图, never 习图 (not in the text)."""
    out: list[str] = []
    run = ""
    for token, kept in tokenizer().tokens_marked(part):
        if kept and len(token) == 1 and _CJK.match(token):
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        if kept:
            out.append(token)
    if run:
        out.append(run)
    return out or [part]  # only stop-words or symbols: the literal text


def _pieces(word: str) -> tuple[str, ...]:
    """A cover of a Chinese word of 3+ characters by its sub-words (right-most first: Chinese compounds are
    head-final, so 锂电池 → 电池 + 锂) and the characters left over; () when the word cannot be split."""
    if len(word) < 3 or not _CJK.match(word):
        return ()
    subs = [p for p in tokenizer().search_tokens(word) if p != word and 2 <= len(p) < len(word)]
    spans = sorted({(word.rfind(p), p) for p in subs}, key=lambda x: -x[0])
    taken: set[int] = set()
    chosen: list[tuple[int, str]] = []
    for start, p in spans:
        span = set(range(start, start + len(p)))
        if not span & taken:
            taken |= span
            chosen.append((start, p))
    if not chosen:
        return ()
    chosen += [(i, c) for i, c in enumerate(word) if i not in taken]
    return tuple(p for _, p in sorted(chosen))


def search_terms(q: str) -> list[tuple[str, tuple[str, ...]]]:
    """Query → terms a record must all contain; each term is (word, its pieces).

    A record contains a term when it contains the word, or every one of its pieces: 图像识别 → (图像识别, (图像, 识别))
    finds 「图像…识别」 titles, 锂电池 → (锂电池, (锂, 电池)) finds 回收锂二次电池. Stop-words (一种, 方法…) are
    dropped; a chunk made only of stop-words or symbols is kept literally.
    """
    terms: list[tuple[str, tuple[str, ...]]] = []
    for part in _SPLIT.split(q.strip()):
        for word in _words(part) if part else []:
            term = (word, _pieces(word))
            if term not in terms:
                terms.append(term)
    return terms[:MAX_TERMS]


MATCH_SQL = "SELECT rowid FROM patents_patent_fts WHERE patents_patent_fts MATCH %s"


def matching_ids(expression: str) -> RawSQL:
    """Patent ids whose title or abstract contains the phrase (the expression is a bound parameter)."""
    return RawSQL(MATCH_SQL, [expression])  # noqa: S611 - constant SQL, value passed as a parameter


def analyse() -> None:
    """Refresh SQLite's planner statistics (sampled, ~0.25 s at 100k rows) after many rows changed.

    Without them SQLite assumes `state = 'pooled'` is selective and walks every pooled record instead of
    the few the index matched (measured: 184 ms → 51 ms for a 5-character query over 100k patents).
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
