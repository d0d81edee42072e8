from __future__ import annotations

import pytest
from django.utils import timezone

from panhuo.evaluation.models import Scenario, ValueScore, WeightSet
from panhuo.evaluation.selectors import value_priors
from panhuo.patents.models import Patent


@pytest.mark.django_db
def test_value_priors_default_and_scored():
    a = Patent.objects.create(app_no="201710601862.3", patent_type="invention", title="甲")
    b = Patent.objects.create(pub_no="CN1000001", pub_kind="A", patent_type="invention", title="乙")
    ws = WeightSet.objects.get(organization=None, scenario=Scenario.LICENSING, version=1)  # made by migrate
    ValueScore.objects.create(
        patent=a,
        scenario=Scenario.LICENSING,
        weight_set=ws,
        model_version=ws.model_version,
        score=82.0,
        computed_at=timezone.now(),
    )
    assert value_priors([a.pk, b.pk, a.pk]) == {a.pk: 0.82, b.pk: 0.5}
    assert value_priors([]) == {}
    assert value_priors([a.pk], scenario=Scenario.FINANCE) == {a.pk: 0.5}
