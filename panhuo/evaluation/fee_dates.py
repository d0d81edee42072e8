"""Fee calendar catch-up: move each stored score's next annual-fee date (`ValueScore.fee_due_date`) on with the
calendar and with fees recorded since, without a full rescore.

The calendar's horizon filter reads the stored date; before this it only moved at the nightly rescore, so a fee
paid in the morning (or a due date passed) showed the old date all day. Idempotent: a second run on the same day
writes nothing. Only rows that already have a date are moved (a patent without one was not valid or had no filing
date at the last rescore; the rescore decides those).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from engine.scoring.fees import next_fee_due
from panhuo.common.audit import audit_record
from panhuo.evaluation.models import ValueScore

_CHUNK = 5000


def fee_dates_refresh(*, today: date | None = None) -> int:
    """Rows whose next fee date changed (passed, or a payment recorded); the number of rows written."""
    today = today or timezone.localdate()
    qs = (
        ValueScore.objects.filter(fee_due_date__isnull=False, patent__application_date__isnull=False)
        .order_by("pk")
        .values_list("pk", "fee_due_date", "patent__application_date", "patent__annual_fee_paid_until")
    )
    changed: list[ValueScore] = []
    for pk, stored, application_date, paid_until in qs.iterator(chunk_size=_CHUNK):
        if application_date is None:  # excluded by the filter; keeps the type checker honest
            continue
        due, _year = next_fee_due(application_date, today, paid_until)
        if due != stored:
            changed.append(ValueScore(pk=pk, fee_due_date=due))
    if not changed:
        return 0
    with transaction.atomic():
        ValueScore.objects.bulk_update(changed, ["fee_due_date"], batch_size=_CHUNK)
        audit_record(
            "evaluation.fee_dates_refresh",
            object_type="evaluation.ValueScore",
            detail={"rows": len(changed), "on": today.isoformat()},
        )
    return len(changed)
