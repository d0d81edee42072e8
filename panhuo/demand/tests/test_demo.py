"""The demo loader: labelled, valid credit codes, idempotent, exercises favourites / requests on pooled patents."""

from __future__ import annotations

import io

import pytest

from engine.identifiers.credit_code import normalise_credit_code
from panhuo.accounts import demo as accounts_demo
from panhuo.accounts.models import Organization
from panhuo.demand import demo
from panhuo.demand.models import (
    CooperationRequest,
    EnterpriseProfile,
    Favourite,
    Need,
    NeedAnswer,
    Subscription,
)
from panhuo.patents.activity import activity_of
from panhuo.patents.models import InventoryRecord, Patent


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_load_is_labelled_valid_and_idempotent(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    accounts_demo.load(io.StringIO())
    uni = Organization.objects.get(code="DEMO-UNI-1")
    patents = []
    for i, ipc in enumerate(["B25J9/16", "H01M10/05", "G06F16/35", "B25J13/08", "H02J3/38", "G06N20/00"]):
        p = Patent.objects.create(
            pub_no=f"CN2{i:08d}", pub_kind="A", patent_type="invention", title=f"演示专利{i}", ipc_main=ipc,
            ipc_codes=[ipc], ipc_section=ipc[0], ipc_class=ipc[:3], ipc_subclass=ipc[:4], is_demo=True,
        )  # fmt: skip
        InventoryRecord.objects.create(organization=uni, patent=p, state="pooled", is_demo=True)
        patents.append(p)
    demo.load(io.StringIO())
    generated = EnterpriseProfile.objects.filter(source="demo")
    assert generated.count() == 200
    for profile in generated.select_related("organization"):
        assert "演示" in profile.organization.name
        assert profile.organization.region_code.startswith("500")
        assert normalise_credit_code(profile.organization.credit_code) == profile.organization.credit_code
        assert profile.industry_code and profile.business_scope
    assert EnterpriseProfile.objects.filter(organization__code="DEMO-ENT-1", industry_confirmed=True).exists()
    assert Need.objects.filter(is_demo=True).count() == 60
    assert all("演示" in t for t in Need.objects.values_list("title", flat=True))
    assert {"B25J9/00", "H01M10/00", "G06F16/00"} <= {h for n in Need.objects.all() for h in n.ipc_hints}
    assert NeedAnswer.objects.count() > 0
    assert CooperationRequest.objects.count() == 24 + 3
    assert Favourite.objects.count() == 3
    assert activity_of(patents[0].pk).favourites == 1
    assert Subscription.objects.count() == 2
    counts = (EnterpriseProfile.objects.count(), Need.objects.count(), NeedAnswer.objects.count(),
              CooperationRequest.objects.count(), Favourite.objects.count(), Subscription.objects.count())  # fmt: skip
    demo.load(io.StringIO())
    assert counts == (EnterpriseProfile.objects.count(), Need.objects.count(), NeedAnswer.objects.count(),
                      CooperationRequest.objects.count(), Favourite.objects.count(), Subscription.objects.count())  # fmt: skip
    assert activity_of(patents[0].pk).favourites == 1
