"""The IPC postings (navigation.IpcPosting) and the landscape facts (navigation.LandscapeFact): built and kept
current together by the worker from Patent.updated_at (one watermark for both)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.navigation.facts import SOURCE_FIELDS, fact_rows
from panhuo.navigation.models import IpcPosting, LandscapeFact, PostingWatermark
from panhuo.patents.models import Patent

BATCH = 5000
# Rows committed slightly before "now" can become visible after it: re-read this margin at each sync.
LATE_COMMIT_MARGIN = timedelta(minutes=2)


def subclasses_of(codes: list[str] | None) -> set[str]:
    return {c[:4] for c in (codes or []) if len(c) >= 4}


def postings_watermark() -> Any:
    row = PostingWatermark.objects.first()
    return row.through if row else None


def postings_sync(*, full: bool = False) -> dict[str, int]:
    """Re-post and re-build the facts of every patent changed since the watermark (all when `full` or never built)."""
    started = timezone.now()
    since = None if full else postings_watermark()
    patents = Patent.objects.all()
    if since is not None:
        patents = patents.filter(updated_at__gt=since - LATE_COMMIT_MARGIN)
    elif full:
        IpcPosting.objects.all().delete()
        LandscapeFact.objects.all().delete()
    done = 0
    last = 0
    while True:
        batch = list(patents.filter(pk__gt=last).order_by("pk").values_list(*SOURCE_FIELDS)[:BATCH])
        if not batch:
            break
        last = batch[-1][0]
        ids = [row[0] for row in batch]
        facts = fact_rows(batch)
        with transaction.atomic():
            if not full:  # facts may exist from the per-save refresh even before the first build
                IpcPosting.objects.filter(patent_id__in=ids).delete()
                LandscapeFact.objects.filter(patent_id__in=ids).delete()
            LandscapeFact.objects.bulk_create(facts, batch_size=1000)
            IpcPosting.objects.bulk_create(
                [
                    IpcPosting(patent_id=pk, subclass=s)
                    for pk, codes in ((row[0], row[6]) for row in batch)
                    for s in sorted(subclasses_of(codes))
                ],
                batch_size=2000,
            )
        done += len(batch)
    with transaction.atomic():
        PostingWatermark.objects.all().delete()
        PostingWatermark.objects.create(through=started, patents=Patent.objects.count())
    return {"patents": done}
