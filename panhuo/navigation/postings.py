"""The IPC postings (navigation.IpcPosting): built and kept current by the worker from Patent.updated_at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from panhuo.navigation.models import IpcPosting, PostingWatermark
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
    """Re-post every patent changed since the watermark (all of them when `full` or never built)."""
    started = timezone.now()
    since = None if full else postings_watermark()
    patents = Patent.objects.all()
    if since is not None:
        patents = patents.filter(updated_at__gt=since - LATE_COMMIT_MARGIN)
    elif full:
        IpcPosting.objects.all().delete()
    done = 0
    last = 0
    while True:
        batch = list(patents.filter(pk__gt=last).order_by("pk").values_list("pk", "ipc_codes")[:BATCH])
        if not batch:
            break
        last = batch[-1][0]
        ids = [pk for pk, _ in batch]
        with transaction.atomic():
            if since is not None:
                IpcPosting.objects.filter(patent_id__in=ids).delete()
            IpcPosting.objects.bulk_create(
                [
                    IpcPosting(patent_id=pk, subclass=s)
                    for pk, codes in batch
                    for s in sorted(subclasses_of(codes))
                ],
                batch_size=2000,
            )
        done += len(batch)
    with transaction.atomic():
        PostingWatermark.objects.all().delete()
        PostingWatermark.objects.create(through=started, patents=Patent.objects.count())
    return {"patents": done}
