"""Demand fixtures: a second enterprise, institution staff and pooled patents."""

from __future__ import annotations

import pytest

from panhuo.accounts.models import OrganizationType, Role
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentIndustry


@pytest.fixture
def other_enterprise(make_org):
    return make_org(
        OrganizationType.ENTERPRISE, code="ENT-2", name="丁制造有限公司", credit_code="91500107MA5U7Q0K4T"
    )


@pytest.fixture
def other_enterprise_user(other_enterprise, make_user):
    return make_user(Role.ENTERPRISE_USER, other_enterprise)


@pytest.fixture
def other_institution_admin(other_university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, other_university)


@pytest.fixture
def make_patent(db):
    counter = {"n": 0}

    def make(holder=None, *, state=InventoryState.POOLED, ipc="G06F16/35", industry="", title="") -> Patent:
        counter["n"] += 1
        n = counter["n"]
        patent = Patent.objects.create(
            pub_no=f"CN1{n:08d}",
            pub_kind="A",
            patent_type="invention",
            title=title or f"一种数据检索方法{n}",
            ipc_main=ipc,
            ipc_codes=[ipc],
            ipc_section=ipc[0],
            ipc_class=ipc[:3],
            ipc_subclass=ipc[:4],
        )
        if holder is not None:
            InventoryRecord.objects.create(organization=holder, patent=patent, state=state)
        if industry:
            PatentIndustry.objects.create(patent=patent, scheme="gbt4754", code=industry, name="", level=4)
        return patent

    return make


@pytest.fixture
def pooled_patent(university, make_patent):
    return make_patent(university, ipc="G06F16/35", industry="6513")
