"""AC-1 / AC-2: walk every route (HTML and API) × method with tenant A's private objects, as users of other tenants.

Tenant A's private records all carry MARKER. As a user of B: responses never contain it, never fail with 500, and
after every POST/PATCH/PUT/DELETE tenant A's objects are exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from panhuo.accounts.models import OrganizationType, Role
from panhuo.community.models import CaseStudy, MatchProposal, TechManager
from panhuo.deals.models import Deal, DealKind
from panhuo.demand.models import CooperationMode, CooperationRequest, Need, NeedStatus
from panhuo.evaluation.models import Assessment, AssessmentKind
from panhuo.imports.models import ImportJob
from panhuo.patents.models import InventoryRecord, InventoryState, Patent, PatentType
from tests.security.test_default_deny import html_routes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
MARKER = "机密甲"
ESCAPED = json.dumps(MARKER)[1:-1]  # how ninja's JSON writes it: \u673a\u5bc6\u7532


def reveals(response) -> bool:
    body = response.content.decode("utf-8", "replace")
    return MARKER in body or ESCAPED in body


SKIP_PREFIXES = ("accounts/",)  # sign-in, password, OTP and admin consoles act on the caller only


@pytest.fixture
def tenant_a(university, enterprise, make_user, make_org):
    inventor = make_user(Role.INVENTOR, university, display_name="甲发明人")
    patent = Patent.objects.create(
        app_no="201710601862.3",
        patent_type=PatentType.INVENTION,
        title=f"{MARKER}一种保密的电池材料",
        abstract=f"{MARKER}摘要",
        is_demo=False,
    )
    record = InventoryRecord.objects.create(
        organization=university,
        patent=patent,
        state=InventoryState.DRAFT,
        application_scenarios=f"{MARKER}场景",
        contact_name=f"{MARKER}联系人",
        contact_phone="13800001111",
    )
    record.inventor_users.add(inventor)
    need = Need.objects.create(
        enterprise=enterprise,
        title=f"{MARKER}需求",
        description=f"{MARKER}描述",
        wanted_mode=CooperationMode.LICENCE,
        status=NeedStatus.DRAFT,
    )
    request = CooperationRequest.objects.create(
        enterprise=enterprise,
        institution=university,
        patent=patent,
        mode=CooperationMode.LICENCE,
        message=f"{MARKER}合作留言",
    )
    deal = Deal.objects.create(
        code="D-A-1",
        kind=DealKind.LICENCE,
        title=f"{MARKER}交易",
        institution=university,
        contract_amount_fen=100_000_00,
        contract_date=dt.date(2026, 1, 5),
        notes=f"{MARKER}备注",
    )
    assessment = Assessment.objects.create(
        patent=patent, kind=AssessmentKind.INSTITUTION, organization=university, comment=f"{MARKER}评价"
    )
    job = ImportJob.objects.create(
        organization=university,
        kind="patents",
        original_name=f"{MARKER}.csv",
        stored_path="/nonexistent",
        sha256="0" * 64,
        file_format="csv",
    )
    case = CaseStudy.objects.create(
        author_org=university,
        title=f"{MARKER}案例",
        category="mode",
        summary=f"{MARKER}摘要",
        state="submitted",
    )
    manager = TechManager.objects.create(
        user=inventor,
        organization=university,
        name="甲经理人",
        qualification="中级",
        fields_text=f"{MARKER}领域",
    )
    agency = make_org(OrganizationType.AGENCY, code="AG-A", name="甲服务机构")
    proposal = MatchProposal.objects.create(
        agency=agency,
        patent=patent,
        holder=university,
        need=need,
        enterprise=enterprise,
        reason=f"{MARKER}理由",
    )
    return [patent, record, need, request, deal, assessment, job, case, manager, proposal]


@pytest.fixture
def outsiders(other_university, make_org, make_user):
    other_enterprise = make_org(OrganizationType.ENTERPRISE, code="ENT-B", name="丁公司")
    far_office = make_org(
        OrganizationType.IP_OFFICE,
        code="OFFICE-BJ",
        name="北京局",
        region_code="110000",
        office_level="province",
    )
    college = other_university.colleges.first()
    return {
        "institution_admin": make_user(Role.INSTITUTION_ADMIN, other_university),
        "college_admin": make_user(Role.COLLEGE_ADMIN, other_university, college=college),
        "inventor": make_user(Role.INVENTOR, other_university, college=college),
        "enterprise_user": make_user(Role.ENTERPRISE_USER, other_enterprise),
        "far_office": make_user(Role.OFFICE_OFFICIAL, far_office),
    }


def _snapshot(objects):
    return [
        (type(o).__name__, o.pk, tuple(sorted(type(o).objects.filter(pk=o.pk).values().get().items())))
        for o in objects
    ]


def _paths(route: str, ids: list[int], key: str) -> list[str]:
    if not re.search(r"<[^>]+>|\{[^}]+\}", route):
        return [route]
    out = []
    for pk in ids:
        path = re.sub(r"<int:[^>]+>|\{\w*id\w*\}|\{pk\}", str(pk), route)
        path = re.sub(r"<[^>]+>|\{[^}]+\}", key, path)
        out.append(path)
    return out


def test_other_tenants_never_see_or_change_tenant_a(client, tenant_a, outsiders):
    ids = sorted({o.pk for o in tenant_a})
    key = tenant_a[0].key
    before = _snapshot(tenant_a)
    html = ["/" + r.lstrip("^").rstrip("$") for r, _, _ in html_routes() if not r.startswith(SKIP_PREFIXES)]
    schema = Client().get("/api/openapi.json").json()
    api = [(m.upper(), p) for p, ops in schema["paths"].items() for m in ops]
    leaks, errors = [], []
    for who, user in outsiders.items():
        c = Client()
        c.force_login(user)
        for route in html:
            for path in _paths(route, ids, key):
                response = c.get(path)
                if response.status_code >= 500:
                    errors.append((who, "GET", path, response.status_code))
                elif reveals(response):
                    leaks.append((who, "GET", path))
                if who in ("institution_admin", "enterprise_user"):
                    response = c.post(path, {})
                    if response.status_code >= 500:
                        errors.append((who, "POST", path, response.status_code))
        for method, route in api:
            for path in _paths(route, ids, key):
                response = getattr(c, method.lower())(
                    path, data={} if method != "GET" else None, content_type="application/json"
                )
                if response.status_code >= 500:
                    errors.append((who, method, path, response.status_code))
                elif reveals(response):
                    leaks.append((who, method, path))
    assert errors == []
    assert leaks == []
    assert _snapshot(tenant_a) == before


def test_the_walker_can_see_leaks_the_owner_sees_its_own_marker(tenant_a, institution_admin, enterprise_user):
    """Positive control: the owners do see MARKER, so the walker above would notice a leak."""
    patent, record, need, *_ = tenant_a
    owner = Client()
    owner.force_login(institution_admin)
    assert reveals(owner.get(f"/patents/{patent.pk}/"))
    assert reveals(owner.get(f"/api/patents/inventory/{record.pk}"))
    buyer = Client()
    buyer.force_login(enterprise_user)
    assert reveals(buyer.get(f"/demand/needs/{need.pk}/"))


def test_other_tenants_cannot_write_tenant_a_patents(tmp_path, tenant_a, outsiders, other_university):
    """The write paths of the rights record: deals (form, API, import), open licences and patent imports."""
    from panhuo.imports.services import import_job_create, import_job_run
    from panhuo.patents.models import PatentHolder

    patent = tenant_a[0]
    before = _snapshot(tenant_a)
    c = Client()
    c.force_login(outsiders["institution_admin"])
    refused = []
    r = c.post(
        "/deals/new/",
        {
            "kind": "transfer",
            "title": "冒名",
            "patents": patent.key,
            "party_name": "某公司",
            "contract_amount": "1",
        },
    )
    refused.append(("form", r.status_code, "不是以下专利的权利人" in r.content.decode()))
    for body in (
        {"kind": "transfer", "title": "x", "patents": [patent.key]},
        {"kind": "licence", "licence_type": "exclusive", "title": "x", "patents": [patent.key]},
    ):
        r = c.post("/api/deals/deals", json.dumps(body), content_type="application/json")
        refused.append(("api", r.status_code, r.json().get("code") == "rights_not_holder"))
    r = c.post(
        "/api/deals/open-licences",
        json.dumps(
            {"patent": patent.key, "payment_method": "fixed", "fixed_fee_fen": 100, "term_start": "2026-01-01",
             "term_end": "2027-01-01"}
        ),
        content_type="application/json",
    )  # fmt: skip
    refused.append(("open_licence", r.status_code, r.status_code in (400, 404, 422)))
    deals_csv = tmp_path / "deals.csv"
    deals_csv.write_text(
        "申请号,交易类型,许可类型,让与人,受让人,受让人统一社会信用代码,合同日期,备案日期,合同金额（元）,到账金额（元）,备案号\n"
        f"{patent.key},转让,,乙大学,某公司,,2026-03-01,2026-04-15,1,,ZR-W1\n",
        encoding="utf-8",
    )
    job = import_job_run(import_job_create(organization=other_university, kind="deals", path=deals_csv))
    refused.append(("import-deals", job.inserted, job.rejected == 1))
    patents_csv = tmp_path / "patents.csv"
    patents_csv.write_text(f"申请号,名称,法律状态\n{patent.key},乙改的名称,被宣告无效\n", encoding="utf-8")
    job = import_job_run(import_job_create(organization=other_university, kind="patents", path=patents_csv))
    refused.append(("import", job.inserted + job.updated, job.rejected == 1))
    assert refused == [
        ("form", 400, True),  # refused on the same form, input kept
        ("api", 400, True),
        ("api", 400, True),
        ("open_licence", refused[3][1], True),
        ("import-deals", 0, True),
        ("import", 0, True),
    ]
    assert _snapshot(tenant_a) == before
    assert not Deal.objects.filter(deal_patents__patent=patent).exists()
    assert not InventoryRecord.objects.filter(patent=patent, organization=other_university).exists()
    assert not PatentHolder.objects.filter(patent=patent, organization=other_university).exists()
