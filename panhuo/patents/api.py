"""Patents and inventory API: list/search, detail by key, inventory read / fill / submit / approve / return.

Visibility is the selectors' (same as the pages); a record of another tenant that is not pooled answers 404.
Write schemas list their fields explicitly and forbid extras, so organization / state / owner cannot be set.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from panhuo.accounts.acting import Viewer, acting_user
from panhuo.common.errors import NotFound
from panhuo.patents import permissions, picker, selectors, services
from panhuo.patents.models import InventoryRecord, Patent

router = Router()


class ErrorOut(Schema):
    code: str
    message_zh: str
    message_en: str = ""
    field: str | None = None


class PatentRowOut(Schema):
    record_id: int
    patent_id: int
    key: str
    title: str
    patent_type: str
    ipc_main: str
    application_date: date | None
    legal_status: str
    organization: str
    college: str
    state: str
    conversion_modes: list[str]
    portfolio: str
    is_demo: bool


class PatentPageOut(Schema):
    count: int
    page: int
    pages: int
    results: list[PatentRowOut]


class RecordOut(Schema):
    id: int
    patent_id: int
    patent_key: str
    organization: str
    college: str
    state: str
    implementation_status: str
    conversion_intent: bool | None
    conversion_modes: list[str]
    trl: int | None
    value_self_grade: str
    application_scenarios: str
    industrialisation_prospects: str
    contact_name: str
    contact_phone: str  # masked unless the viewer belongs to the holding institution
    portfolio: str  # 项目组合: the named portfolio the patent is offered in ("" for none)
    pooled_at: datetime | None
    converted: bool
    # Holding institution only (null for everyone else):
    first_inventor: str | None = None
    proxy_filing: bool | None = None
    fiscal_funded: bool | None = None
    contact_email: str | None = None
    return_reason: str | None = None
    submitted_at: datetime | None = None
    actions: list[str] = []


class PatentOut(Schema):
    id: int
    key: str
    app_no: str | None
    pub_no: str | None
    pub_kind: str
    patent_type: str
    title: str
    abstract: str
    ipc_main: str
    ipc_codes: list[str]
    applicants: list[str]
    patentees: list[str]
    inventors: list[str]
    application_date: date | None
    publication_date: date | None
    grant_date: date | None
    legal_status: str
    annual_fee_paid_until: date | None
    expiry_date: date | None
    is_demo: bool
    is_synthetic: bool
    records: list[RecordOut]


class ListQuery(Schema):
    q: str = ""
    organization: int | None = Field(None, ge=1, le=2**63 - 1)
    college: int | None = Field(None, ge=1, le=2**63 - 1)
    ipc_section: str = ""
    ipc_class: str = ""
    patent_type: str = ""
    legal_status: str = ""
    state: str = ""
    conversion_mode: str = ""
    industry_scheme: str = ""
    industry_code: str = ""
    portfolio: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(25, ge=1, le=100)


class FillIn(Schema):
    """The 建档 fields; any other key (organization, state, filer…) is rejected with 422."""

    model_config = ConfigDict(extra="forbid")

    first_inventor: str | None = Field(None, max_length=100)
    proxy_filing: bool | None = None
    fiscal_funded: bool | None = None
    implementation_status: str | None = None
    conversion_intent: bool | None = None
    conversion_modes: list[str] | None = None
    trl: int | None = None
    value_self_grade: str | None = None
    application_scenarios: str | None = None
    industrialisation_prospects: str | None = None
    contact_name: str | None = Field(None, max_length=100)
    contact_phone: str | None = Field(None, max_length=20)
    contact_email: str | None = Field(None, max_length=254)
    portfolio: str | None = Field(None, max_length=100)


class ApproveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    comment: str = Field("", max_length=5000)


class ReturnIn(Schema):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., max_length=5000)


def _row(record: InventoryRecord) -> dict[str, Any]:
    p = record.patent
    return {
        "record_id": record.pk,
        "patent_id": p.pk,
        "key": p.key,
        "title": p.title,
        "patent_type": p.patent_type,
        "ipc_main": p.ipc_main,
        "application_date": p.application_date,
        "legal_status": p.legal_status,
        "organization": record.organization.name,
        "college": record.college.name if record.college else "",
        "state": record.state,
        "conversion_modes": record.conversion_modes,
        "portfolio": record.portfolio,
        "is_demo": p.is_demo,
    }


def _record_out(user: Viewer, record: InventoryRecord) -> dict[str, Any]:
    view = selectors.record_public_view(user, record)
    view.pop("state_display", None)
    view["patent_id"] = record.patent_id
    view["patent_key"] = record.patent.key
    view["actions"] = [a.name for a in permissions.inventory_actions(user, record)]
    return view


def _page(user: Viewer, query: ListQuery, base: Any) -> dict[str, Any]:
    params = query.dict()
    filters = selectors.filters_from(params)
    records = selectors.inventory_search(user, filters, base=base)
    paginator = Paginator(records, query.page_size)
    page = paginator.get_page(query.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "results": [_row(r) for r in page],
    }


@router.get("/", response=PatentPageOut, summary="专利清单 list / search (own inventory, or the pool)")
def patent_list(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    return _page(request.user, query, selectors.inventory_list_base(request.user))


@router.get("/pool", response=PatentPageOut, summary="专利转化资源库 pooled records")
def patent_pool(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    return _page(request.user, query, selectors.inventory_pool(request.user))


class PickerItemOut(Schema):
    patent_id: int
    key: str
    number_label: str
    title: str
    holder: str
    state: str


@router.get(
    "/pick",
    response=list[PickerItemOut],
    summary="Patent picker type-ahead: 申请号 / 公开（公告）号 / 授权公告号 in any spelling, or title words",
)
def patent_pick(
    request: HttpRequest, q: str = "", scope: Literal["own", "own_pooled", "visible"] = "visible"
) -> list[Any]:
    return list(picker.patent_suggest(request.user, q, scope=scope))


@router.get(
    "/by-key/{key}",
    response={200: PatentOut, 404: ErrorOut},
    summary="Patent by 申请号 (or publication number + kind)",
)
def patent_by_key(request: HttpRequest, key: str) -> dict[str, Any]:
    patent: Patent = selectors.patent_get_by_key(request.user, key)
    records = selectors.patent_records(request.user, patent)
    fields = (
        "app_no pub_no pub_kind patent_type title abstract ipc_main ipc_codes applicants patentees inventors "
        "application_date publication_date grant_date legal_status annual_fee_paid_until expiry_date "
        "is_demo is_synthetic"
    ).split()
    out: dict[str, Any] = {name: getattr(patent, name) for name in fields}
    out.update(id=patent.pk, key=patent.key, records=[_record_out(request.user, r) for r in records])
    return out


@router.get("/inventory/{record_id}", response={200: RecordOut, 404: ErrorOut}, summary="建档 record")
def inventory_read(request: HttpRequest, record_id: int) -> dict[str, Any]:
    record = selectors.inventory_get(request.user, record_id)
    return _record_out(request.user, record)


@router.patch(
    "/inventory/{record_id}",
    response={200: RecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="建档 fill (partial update of the official fields)",
)
def inventory_fill(request: HttpRequest, record_id: int, payload: FillIn) -> dict[str, Any]:
    record = selectors.inventory_get(request.user, record_id)
    changes = payload.dict(exclude_unset=True)
    proxy = changes.pop("proxy_filing", None)
    services.inventory_fill(actor=acting_user(request), record=record, changes=changes, proxy_filing=proxy)
    return _record_out(request.user, record)


@router.post(
    "/inventory/{record_id}/submit",
    response={200: RecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="提交审核",
)
def inventory_submit(request: HttpRequest, record_id: int) -> dict[str, Any]:
    record = selectors.inventory_get(request.user, record_id)
    services.inventory_submit(actor=acting_user(request), record=record)
    return _record_out(request.user, record)


@router.post(
    "/inventory/{record_id}/approve",
    response={200: RecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="审核通过 (学院 or 学校 level, by the record's state)",
)
def inventory_approve(request: HttpRequest, record_id: int, payload: ApproveIn) -> dict[str, Any]:
    record = selectors.inventory_get(request.user, record_id)
    services.inventory_approve(actor=acting_user(request), record=record, comment=payload.comment)
    return _record_out(request.user, record)


@router.post(
    "/inventory/{record_id}/return",
    response={200: RecordOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="退回修改 (reason required)",
)
def inventory_return(request: HttpRequest, record_id: int, payload: ReturnIn) -> dict[str, Any]:
    record = selectors.inventory_get(request.user, record_id)
    services.inventory_return(actor=acting_user(request), record=record, reason=payload.reason)
    return _record_out(request.user, record)


class CoverageRowOut(Schema):
    label: str
    organization_id: int | None
    college_id: int | None
    total: int
    filed: int
    pooled: int
    filed_rate: float
    pooled_rate: float


class CoverageOut(Schema):
    institutions: list[CoverageRowOut]
    colleges: list[CoverageRowOut]


def _coverage_row(row: selectors.CoverageRow) -> dict[str, Any]:
    return {
        "label": row.label,
        "organization_id": row.organization_id,
        "college_id": row.college_id,
        "total": row.total,
        "filed": row.filed,
        "pooled": row.pooled,
        "filed_rate": row.filed_rate,
        "pooled_rate": row.pooled_rate,
    }


@router.get(
    "/coverage",
    response={200: CoverageOut, 404: ErrorOut},
    summary="建档率 / 入库率 per institution (staff: own; office: its region) and per college of one",
)
def coverage(request: HttpRequest, organization: int | None = None) -> dict[str, Any]:
    user = acting_user(request)
    institutions = selectors.coverage_by_organization(user)
    if organization is None and user.role in selectors.REVIEWER_ROLES:
        organization = user.organization_id
    colleges: list[selectors.CoverageRow] = []
    if organization is not None:
        if not selectors._valid_id(organization):
            raise NotFound()
        colleges = selectors.coverage_by_college(user, organization)
    return {
        "institutions": [_coverage_row(r) for r in institutions],
        "colleges": [_coverage_row(r) for r in colleges],
    }
