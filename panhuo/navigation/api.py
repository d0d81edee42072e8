"""专利导航 API (session auth): saved scopes (shared within the organization), the landscape of a scope in the
`panhuo landscape --json` shape, comparison of two scopes or regions, and the report (PDF / XLSX annex).

Visibility is `selectors.landscape_visibility` (built on accounts.visibility), as on the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import User
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.common.exports import XLSX_TYPE, download, export_guard
from panhuo.navigation import services
from panhuo.navigation.apps import NavigationConfig
from panhuo.navigation.models import LandscapeScope
from panhuo.navigation.page import api_json, compare_sides, landscape, stored_clusters
from panhuo.navigation.report import report_pdf, report_xlsx
from panhuo.navigation.scope import ScopeDefinition, ScopeInvalid, parse_scope
from panhuo.navigation.selectors import landscape_visibility, latest_clusters, scope_get, scopes_of

router = Router()
ROLES = frozenset(NavigationConfig.nav[0][2] or ())


def _actor(request: HttpRequest) -> User:
    """The signed-in user, refused (403) outside the roles that reach 专利导航 (the admin roles, 三员)."""
    user = acting_user(request)
    if user.role not in ROLES:
        raise PermissionRefused("无权使用专利导航", "Not allowed to use patent navigation")
    return user


class DefinitionIn(Schema):
    """A scope: every filter optional, lists OR within a filter, filters AND together (docs/navigation.md)."""

    ipc: list[str] = []
    industries: list[str] = []
    sei: list[str] = []
    keywords: list[str] = []
    region: str = ""
    holder_types: list[str] = []
    year_from: int | str | None = None
    year_to: int | str | None = None
    patent_types: list[str] = []
    legal_statuses: list[str] = []


class ScopeIn(Schema):
    name: str
    shared: bool = True
    definition: DefinitionIn


class ScopeOut(Schema):
    id: int
    name: str
    shared: bool
    definition: dict[str, Any]
    scope_lines: list[list[str]]
    findings: str
    created_by: str
    mine: bool
    updated_at: datetime


class ScopeErrorOut(Schema):
    """Every problem of the scope at once: `errors` maps each field to its Chinese (English) message."""

    code: str
    message_zh: str
    message_en: str
    field: str | None
    errors: dict[str, str]


def _scope_out(scope: LandscapeScope, user: User) -> dict[str, Any]:
    return {
        "id": scope.pk,
        "name": scope.name,
        "shared": scope.shared,
        "definition": scope.definition,
        "scope_lines": [list(line) for line in parse_scope(scope.definition).describe()],
        "findings": scope.findings,
        "created_by": scope.created_by.name if scope.created_by else "",
        "mine": scope.created_by_id == user.pk,
        "updated_at": scope.updated_at,
    }


def _invalid(e: ScopeInvalid) -> Status[dict[str, Any]]:
    """400 with every error at once, per field, in Chinese and English."""
    return Status(
        400,
        {
            "code": e.code,
            "message_zh": e.message_zh,
            "message_en": e.message_en,
            "field": e.field,
            "errors": e.errors,
        },
    )


def _definition(payload: DefinitionIn) -> ScopeDefinition:
    definition = parse_scope(payload.dict(), check_codes=True)
    if definition.is_empty:
        raise ScopeInvalid({"ipc": "请至少设置一项范围条件 (set at least one condition)"})
    return definition


@router.get("/scopes")
def scope_list(request: HttpRequest) -> dict[str, Any]:
    """Scopes of the caller's organization: the shared ones and the caller's own."""
    user = _actor(request)
    return {"scopes": [_scope_out(s, user) for s in scopes_of(user).select_related("created_by")]}


@router.post("/scopes", response={201: ScopeOut, 400: ScopeErrorOut})
def scope_create(request: HttpRequest, payload: ScopeIn) -> Status[dict[str, Any]]:
    user = _actor(request)
    try:
        scope = services.scope_save(
            actor=user, name=payload.name, definition=_definition(payload.definition), shared=payload.shared
        )
    except ScopeInvalid as e:
        return _invalid(e)
    return Status(201, _scope_out(scope, user))


@router.get("/scopes/{scope_id}")
def scope_detail(request: HttpRequest, scope_id: int) -> dict[str, Any]:
    user = _actor(request)
    return _scope_out(scope_get(user, scope_id), user)


@router.put("/scopes/{scope_id}", response={200: ScopeOut, 400: ScopeErrorOut})
def scope_update(request: HttpRequest, scope_id: int, payload: ScopeIn) -> Status[dict[str, Any]]:
    """Only its creator changes a scope (others of the organization: 403)."""
    user = _actor(request)
    try:
        scope = services.scope_save(
            actor=user,
            name=payload.name,
            definition=_definition(payload.definition),
            shared=payload.shared,
            scope_id=scope_id,
        )
    except ScopeInvalid as e:
        return _invalid(e)
    return Status(200, _scope_out(scope, user))


@router.delete("/scopes/{scope_id}", response={204: None})
def scope_remove(request: HttpRequest, scope_id: int) -> Status[None]:
    services.scope_delete(actor=_actor(request), scope_id=scope_id)
    return Status(204, None)


@router.get("/scopes/{scope_id}/landscape")
def scope_landscape(request: HttpRequest, scope_id: int) -> dict[str, Any]:
    """The landscape of a saved scope as the caller sees it (the shape of `panhuo landscape --json`)."""
    user = _actor(request)
    scope = scope_get(user, scope_id)
    figures = landscape(parse_scope(scope.definition), landscape_visibility(user))
    figures["clusters"] = stored_clusters(latest_clusters(scope), figures["visible_ids"])
    return api_json(figures)


@router.post("/landscape", response={200: dict[str, Any], 400: ScopeErrorOut})
def landscape_of(request: HttpRequest, payload: DefinitionIn) -> Status[dict[str, Any]]:
    """The landscape of an unsaved scope (no clusters: those are computed in the worker for saved scopes)."""
    user = _actor(request)
    try:
        definition = _definition(payload)
    except ScopeInvalid as e:
        return _invalid(e)
    return Status(200, api_json(landscape(definition, landscape_visibility(user))))


@router.get("/compare", response={200: dict[str, Any], 400: ScopeErrorOut})
def compare(request: HttpRequest, a: int, b: int = 0, ra: str = "", rb: str = "") -> Status[dict[str, Any]]:
    """Two saved scopes side by side (`a`, `b`), or one scope in two regions (`a` with `ra`, `rb`)."""
    user = _actor(request)
    try:
        sides = compare_sides(user, a, b, ra, rb)
    except ScopeInvalid as e:
        return _invalid(e)
    return Status(
        200,
        {
            "sides": [
                {"scope_id": side["scope"].pk, "name": side["scope"].name, "region": side["region"]}
                | api_json(side["f"])
                for side in sides
            ]
        },
    )


@router.get("/scopes/{scope_id}/report")
def report(request: HttpRequest, scope_id: int, format: str = "pdf") -> HttpResponse:
    """The GB/T 39551 report as PDF (`format=pdf`) or its XLSX data annex (`format=xlsx`)."""
    user = _actor(request)
    if format not in ("pdf", "xlsx"):
        raise ApplicationError(
            "bad_format", "报告格式应为 pdf 或 xlsx", "format must be pdf or xlsx", field="format"
        )
    scope = scope_get(user, scope_id)
    refused = export_guard(request, f"landscape:{scope_id}:{format}")
    if refused is not None:
        return refused
    figures = landscape(parse_scope(scope.definition), landscape_visibility(user))
    figures["clusters"] = stored_clusters(latest_clusters(scope), figures["visible_ids"])
    name = f"专利导航报告-{scope.name}"
    if format == "pdf":
        return download(
            report_pdf(figures, title=name, findings=scope.findings), f"{name}.pdf", "application/pdf"
        )
    return download(report_xlsx(figures, title=name, findings=scope.findings), f"{name}.xlsx", XLSX_TYPE)
