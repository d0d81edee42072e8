"""Small builders for evaluation tests."""

from __future__ import annotations

from datetime import date
from itertools import count

from engine.identifiers.application_number import check_character
from panhuo.patents.models import InventoryRecord, Patent, PatentActivity

_seq = count(1)


def app_no(year: int = 2017, kind: str = "1") -> str:
    body = f"{year}{kind}{next(_seq):07d}"
    return f"{body}.{check_character(body)}"


def make_patent(
    *,
    holder=None,
    college=None,
    state: str = "pooled",
    patent_type: str = "invention",
    legal_status: str = "valid",
    application_date: date = date(2017, 5, 10),
    grant_date: date | None = date(2020, 3, 1),
    ipc: str = "G06F16/33",
    claims: int | None = 10,
    trl: int | None = None,
    self_grade: str = "",
    **fields,
) -> Patent:
    kind = {"invention": "1", "utility": "2", "design": "3"}[patent_type]
    p = Patent.objects.create(
        app_no=app_no(application_date.year, kind),
        patent_type=patent_type,
        title=fields.pop("title", "一种测试方法"),
        legal_status=legal_status,
        application_date=application_date,
        grant_date=grant_date,
        ipc_main=ipc,
        ipc_codes=fields.pop("ipc_codes", [ipc]),
        ipc_section=ipc[0],
        ipc_class=ipc[:3],
        ipc_subclass=ipc[:4],
        claims_count=claims,
        independent_claims_count=fields.pop("independent_claims", 1 if claims else None),
        patentees=fields.pop("patentees", ["甲大学"]),
        **fields,
    )
    if holder is not None:
        InventoryRecord.objects.create(
            organization=holder, patent=p, college=college, state=state, trl=trl, value_self_grade=self_grade
        )
    PatentActivity.objects.get_or_create(patent=p)
    return p
