"""A constructed landscape: two universities in two provinces, published and unpublished patents, a co-owned one.

Used by this app's tests (fixture in conftest.py) and the browser test."""

from __future__ import annotations

from datetime import date

from panhuo.accounts.models import OrganizationType, Role
from panhuo.navigation.postings import postings_sync
from panhuo.patents.models import InventoryRecord, InventoryState, LegalStatus, Patent, PatentType

POOLED, UNFILED = InventoryState.POOLED, InventoryState.UNFILED


def _patent(n: int, title: str, codes: list[str], app: date | None, **kw) -> Patent:
    return Patent.objects.create(
        app_no=f"20231000{n:04d}",
        title=title,
        abstract=kw.pop("abstract", f"{title}，涉及锂离子电池的正极材料与电解液。"),
        ipc_codes=codes,
        ipc_main=codes[0],
        ipc_class=codes[0][:3],
        ipc_subclass=codes[0][:4],
        ipc_section=codes[0][:1],
        application_date=app,
        patent_type=kw.pop("patent_type", PatentType.INVENTION),
        legal_status=kw.pop("legal_status", LegalStatus.VALID),
        **kw,
    )


def build_landscape(make_org, make_user) -> dict:
    uni_a = make_org(OrganizationType.UNIVERSITY, code="UNI-A", name="甲大学", region_code="500106")
    uni_b = make_org(OrganizationType.UNIVERSITY, code="UNI-B", name="乙大学", region_code="440106")
    office = make_org(
        OrganizationType.IP_OFFICE, code="OFF-CQ", name="重庆市知识产权局", region_code="500000"
    )
    ent = make_org(OrganizationType.ENTERPRISE, code="ENT-1", name="丙科技有限公司", region_code="500107")
    p = {
        1: _patent(
            1,
            "锂电池正极",
            ["H01M10/0525", "H01M4/36"],
            date(2019, 3, 1),
            grant_date=date(2021, 5, 1),
            patentees=["甲大学", "丁电池有限责任公司"],
            inventors=["张三", "李四"],
        ),
        2: _patent(
            2,
            "锂电池电解液",
            ["H01M10/056"],
            date(2020, 1, 1),
            applicants=["甲大学 "],
            inventors=["张三", "李 四"],
            patent_type=PatentType.UTILITY,
        ),
        3: _patent(
            3,
            "正极包覆",
            ["H01M4/58"],
            None,
            applicants=["丁电池有限公司"],
            inventors=["王五"],
            legal_status=LegalStatus.PENDING,
        ),
        4: _patent(4, "电池隔膜", ["H01M10/0525"], date(2021, 6, 1), patentees=["乙大学"]),
        5: _patent(5, "秘密电池", ["H01M50/10"], date(2021, 7, 1), patentees=["乙大学秘密课题组"]),
        6: _patent(6, "数据库索引", ["G06F16/22"], date(2020, 2, 1), patentees=["甲大学"]),
        7: _patent(7, "电池外壳", ["H01M2/10"], date(2018, 4, 1)),
    }
    records = [
        (uni_a, 1, POOLED),
        (uni_a, 2, UNFILED),
        (uni_a, 3, POOLED),
        (uni_b, 4, POOLED),
        (uni_b, 5, UNFILED),
        (uni_a, 6, POOLED),
        (uni_a, 7, POOLED),
        (uni_b, 7, POOLED),
    ]
    for org, n, state in records:
        InventoryRecord.objects.create(organization=org, patent=p[n], state=state)
    postings_sync(full=True)  # the worker's IPC postings and landscape facts
    return {
        "patents": p,
        "uni_a": uni_a,
        "uni_b": uni_b,
        "admin_a": make_user(Role.INSTITUTION_ADMIN, uni_a, username="admin_a"),
        "admin_a2": make_user(Role.INSTITUTION_ADMIN, uni_a, username="admin_a2"),
        "admin_b": make_user(Role.INSTITUTION_ADMIN, uni_b, username="admin_b"),
        "office": make_user(Role.OFFICE_OFFICIAL, office, username="office_cq"),
        "enterprise": make_user(Role.ENTERPRISE_USER, ent, username="ent_user"),
    }
