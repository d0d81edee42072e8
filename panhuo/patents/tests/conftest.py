"""Fixtures for the inventory workflow, pages and API tests (patents, records in several tenants)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from panhuo.accounts.models import Role
from panhuo.patents.assignment import inventory_open
from panhuo.patents.models import InventoryRecord, Patent, PatentType

FULL_FILL: dict[str, Any] = {
    "first_inventor": "张三",
    "fiscal_funded": True,
    "implementation_status": "not_implemented",
    "conversion_intent": True,
    "conversion_modes": ["licence", "transfer"],
    "trl": 5,
    "value_self_grade": "B",
    "application_scenarios": "锂电池极片检测",
    "industrialisation_prospects": "可用于新能源汽车电池产线",
    "contact_name": "李老师",
    "contact_phone": "13812341234",
    "contact_email": "tto@example.edu.cn",
}


@pytest.fixture
def make_patent(db):
    counter = {"n": 0}

    def make(**kw: Any) -> Patent:
        counter["n"] += 1
        n = counter["n"]
        kw.setdefault("pub_no", f"CN1{n:08d}")
        kw.setdefault("pub_kind", "B")
        kw.setdefault("patent_type", PatentType.INVENTION)
        kw.setdefault("title", f"一种测试装置{n}")
        kw.setdefault("abstract", "本发明公开了一种装置。")
        kw.setdefault("ipc_main", "H01M 10/42")
        kw.setdefault("ipc_section", "H")
        kw.setdefault("ipc_class", "H01")
        kw.setdefault("ipc_subclass", "H01M")
        kw.setdefault("application_date", date(2020, 1, n % 28 + 1))
        return Patent.objects.create(**kw)

    return make


@pytest.fixture
def cs(university):
    return university.colleges.get(code="CS")


@pytest.fixture
def me(university):
    return university.colleges.get(code="ME")


@pytest.fixture
def record(university, cs, inventor, make_patent) -> InventoryRecord:
    """An unfiled record of UNI-A, college CS, with `inventor` listed as an inventor."""
    return inventory_open(
        organization=university,
        patent=make_patent(title="一种锂电池极片缺陷检测方法", abstract="基于机器视觉的极片检测"),
        college=cs,
        inventor_users=[inventor],
    )


@pytest.fixture
def other_admin(other_university, make_user):
    return make_user(Role.INSTITUTION_ADMIN, other_university)


@pytest.fixture
def other_inventor(other_university, make_user):
    return make_user(Role.INVENTOR, other_university, college=other_university.colleges.get(code="CS"))


@pytest.fixture
def other_record(other_university, other_inventor, make_patent) -> InventoryRecord:
    """An unfiled record of UNI-B (the other tenant)."""
    return inventory_open(
        organization=other_university,
        patent=make_patent(title="一种乙大学的秘密方法", abstract="乙大学未公开"),
        college=other_university.colleges.get(code="CS"),
        inventor_users=[other_inventor],
    )
