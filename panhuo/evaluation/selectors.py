"""Reads for evaluation. Tenant visibility of scores, assessments and lists is decided here."""

from __future__ import annotations

from collections.abc import Iterable

from panhuo.evaluation.models import Scenario, ValueScore

UNSCORED_PRIOR = 0.5
_CHUNK = 5000


def value_priors(patent_ids: Iterable[int], scenario: str = Scenario.LICENSING) -> dict[int, float]:
    """0..1 value prior per patent (score / 100 in `scenario`); 0.5 for a patent that has no score yet.

    Scores are not tenant-private (they are computed from public bibliographic and activity data),
    so matching may use them for any patent.
    """
    ids = list(dict.fromkeys(int(i) for i in patent_ids))
    priors = dict.fromkeys(ids, UNSCORED_PRIOR)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows = ValueScore.objects.filter(patent_id__in=chunk, scenario=scenario).values_list(
            "patent_id", "score"
        )
        for patent_id, score in rows:
            priors[patent_id] = max(0.0, min(1.0, score / 100.0))
    return priors
