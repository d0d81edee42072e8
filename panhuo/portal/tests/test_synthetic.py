"""合成演示大学: complete, valid, labelled and deterministic."""

from __future__ import annotations

import io

import pytest

from engine.identifiers.application_number import normalise_application_number
from panhuo.accounts.models import Organization
from panhuo.deals.models import Deal
from panhuo.demand.models import Need
from panhuo.evaluation.models import Assessment
from panhuo.patents.models import InventoryRecord, Patent
from panhuo.portal import synthetic

pytestmark = pytest.mark.django_db


def test_synthetic_institution_is_complete_valid_and_labelled(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    synthetic.load(out)
    synthetic.load_business(out)
    org = Organization.objects.get(code=synthetic.ORG_CODE)
    assert "合成演示" in org.name and org.is_demo
    patents = Patent.objects.filter(source=synthetic.SOURCE)
    assert patents.count() == 60
    for p in patents:
        assert normalise_application_number(p.app_no) == p.app_no  # the check digit is valid
        assert p.is_synthetic and p.is_demo and "合成演示" in p.title
        assert p.application_date and p.pub_no and p.inventors and p.applicants == [synthetic.ORG_NAME]
        assert p.patentees  # a completed transfer (one of the deals) names the new holder
        assert p.claims_count and p.citations_backward is not None and p.family_size
        assert p.annual_fee_paid_until and p.expiry_date
    records = InventoryRecord.objects.filter(organization=org)
    assert set(records.values_list("state", flat=True)) == {
        "pooled",
        "institution_review",
        "college_review",
        "draft",
        "unfiled",
        "transferred",  # the completed transfer takes its record out of the pool (rights record)
    }
    assert records.filter(state="pooled", public_since__isnull=False).count() == 39
    pooled = records.filter(state="pooled").first()
    assert list(pooled.history.values_list("action", "to_state")) == [
        ("submit", "college_review"),
        ("approve", "institution_review"),
        ("approve", "pooled"),
    ]
    assert not Deal.objects.filter(title__regex=r"[a-z]{4,}").exists()  # deal titles carry labels, not codes
    kinds = set(Deal.objects.filter(institution=org).values_list("kind", flat=True))
    assert kinds == {"transfer", "licence", "equity", "pledge", "open_licence", "self_impl"}, (
        kinds,
        out.getvalue(),
    )
    assert "未生成" not in out.getvalue()
    assert Need.objects.filter(enterprise__code="SYNTH-ENT").count() == 2
    assert Assessment.objects.filter(patent__source=synthetic.SOURCE).count() == 10
    first = list(patents.order_by("app_no").values_list("app_no", "title", "claims_count"))
    synthetic.load(io.StringIO())  # idempotent
    synthetic.load_business(io.StringIO())
    assert Deal.objects.filter(institution=org).count() == 12
    assert Patent.objects.filter(source=synthetic.SOURCE).count() == 60
    assert list(patents.order_by("app_no").values_list("app_no", "title", "claims_count")) == first
