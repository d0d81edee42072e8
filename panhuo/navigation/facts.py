"""Per-patent 专利导航 rows (`LandscapeFact`), built by the worker, read by every figure.

Each patent's row holds what the figures need in the form they need it — application and grant year, type,
legal status, its IPC codes, the normalised holders (专利权人, else 申请人; neither: none, the reader names the
holding institutions of the records the viewer sees), the normalised inventors and its GB/T 4754 大类 — so a page decodes one JSON text for the whole scope
instead of normalising names and decoding four JSON fields per patent on every request.

Kept current by `postings.postings_sync` (every 5 minutes, patents changed since the watermark, the IPC postings
with them), at once after a patent is saved (`tasks.facts_refresh`), and checked in full by
`panhuo landscape_sync --reconcile` (industries change without touching the patent).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from engine.landscape.analysis import normalise_person
from engine.landscape.holders import holders_of
from panhuo.navigation.models import LandscapeFact
from panhuo.patents.models import Patent, PatentIndustry

# the row's fields, in order (the patent id first, so the database can join rows into one array)
ROW_FIELDS = (
    "patent_id",
    "app_year",
    "grant_year",
    "patent_type",
    "legal_status",
    "ipc_codes",
    "holders",
    "inventors",
    "industries",
)
SOURCE_FIELDS = (
    "pk",
    "updated_at",
    "application_date",
    "grant_date",
    "patent_type",
    "legal_status",
    "ipc_codes",
    "patentees",
    "applicants",
    "inventors",
)


def fact_rows(batch: Sequence[tuple[Any, ...]]) -> list[LandscapeFact]:
    """Facts of patents read as `SOURCE_FIELDS` tuples (industries and holding institutions read here)."""
    ids = [b[0] for b in batch]
    industries: dict[int, list[str]] = {}
    for pid, code in PatentIndustry.objects.filter(
        patent_id__in=ids, scheme=PatentIndustry.Scheme.GBT4754, level=2
    ).values_list("patent_id", "code"):
        industries.setdefault(pid, []).append(code)
    out = []
    for pid, updated, app, grant, ptype, status, codes, patentees, applicants, inventors in batch:
        # no 专利权人 and no 申请人: empty here; the reader names the holding institutions of the records the viewer
        # sees (an unpublished record's institution is never shown through a fact)
        holders = holders_of(patentees or [], applicants or [])
        people = [p for p in dict.fromkeys(normalise_person(i) for i in (inventors or ())) if p]
        row = [
            pid,
            app.year if app else None,
            grant.year if grant else None,
            ptype,
            status,
            list(codes or ()),
            list(holders),
            people,
            sorted(set(industries.get(pid, ()))),
        ]
        out.append(
            LandscapeFact(
                patent_id=pid,
                row=json.dumps(row, ensure_ascii=False, separators=(",", ":")),
                patent_updated=updated,
            )
        )
    return out


def facts_build(patent_ids: Sequence[int]) -> int:
    """(Re)build the facts of these patents (missing patents: their facts are gone with them)."""
    done = 0
    ids = list(patent_ids)
    for start in range(0, len(ids), 2000):
        part = ids[start : start + 2000]
        batch = list(Patent.objects.filter(pk__in=part).values_list(*SOURCE_FIELDS))
        write_facts(part, batch)
        done += len(batch)
    return done


def write_facts(ids: Sequence[int], batch: Sequence[tuple[Any, ...]]) -> None:
    facts = fact_rows(batch)
    with transaction.atomic():
        LandscapeFact.objects.filter(patent_id__in=list(ids)).delete()
        LandscapeFact.objects.bulk_create(facts, batch_size=1000)


def facts_reconcile(*, fix: bool = True, batch: int = 2000) -> dict[str, int]:
    """Compare every patent's fact with what it would be now; rebuild the missing, stale and different ones."""
    checked = missing = stale = different = 0
    last = 0
    while True:
        rows = list(Patent.objects.filter(pk__gt=last).order_by("pk").values_list(*SOURCE_FIELDS)[:batch])
        if not rows:
            break
        last = rows[-1][0]
        ids = [r[0] for r in rows]
        have = {
            f.patent_id: f
            for f in LandscapeFact.objects.filter(patent_id__in=ids).only(
                "patent_id", "row", "patent_updated"
            )
        }
        wrong: list[int] = []
        for fact in fact_rows(rows):
            old = have.get(fact.patent_id)
            if old is None:
                missing += 1
            elif old.patent_updated != fact.patent_updated:
                stale += 1
            elif old.row != fact.row:
                different += 1
            else:
                continue
            wrong.append(fact.patent_id)
        if fix and wrong:
            fix_ids = set(wrong)
            write_facts(wrong, [r for r in rows if r[0] in fix_ids])
        checked += len(rows)
    return {"checked": checked, "missing": missing, "stale": stale, "different": different}
