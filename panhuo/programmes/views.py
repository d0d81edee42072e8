"""Pages: 奖补方案 (list, presets, define, change = new version, any version) and pledge-loan figures
(事前资助 projects: `project_views`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engine.deals.money import format_fen
from engine.monitoring import units
from engine.programmes import definition as stored
from engine.programmes import presets as scheme_presets
from engine.programmes import subsidy as engine
from panhuo.accounts.acting import acting_user
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.permissions import roles_required
from panhuo.programmes import selectors, services
from panhuo.programmes.apps import OFFICE

MULTI = (
    "beneficiaries",
    "patent_types",
    "supplier_types",
    "enterprise_types",
    "enterprise_sizes",
    "requires",
)
TEXT = ("code", "label", "event", "basis", "amount", "rate", "min_basis", "line_cap", "group")
CHOICES: dict[str, tuple[str, dict[str, str]]] = {
    "beneficiaries": ("受益方", engine.ROLES),
    "patent_types": ("专利类型（不选为不限）", engine.PATENT_TYPES),
    "supplier_types": ("供给方类型（不选为不限）", engine.ORG_TYPES),
    "enterprise_types": ("企业方类型（不选为不限）", engine.ORG_TYPES),
    "enterprise_sizes": ("企业规模（不选为不限）", engine.SIZES),
    "requires": ("支付条件", engine.CONDITIONS),
}


def form_errors(exc: ApplicationError) -> list[dict[str, str]]:
    items = exc.extra.get("errors") or [
        {"field": exc.field or "", "zh": exc.message_zh, "en": exc.message_en}
    ]
    return list(items)  # type: ignore[call-overload]


def _rows_from_post(request: HttpRequest) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(min(int(request.POST.get("rule_count") or 0), 50)):
        row: dict[str, Any] = {f: request.POST.get(f"r{i}_{f}", "").strip() for f in TEXT}
        for f in MULTI:
            row[f] = request.POST.getlist(f"r{i}_{f}")
        if row["code"] or row["label"] or row["amount"] or row["rate"]:
            rows.append(row)
    return rows


def _rows_from_definition(definition: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for r in definition.get("rules", []):
        out.append(
            {
                "code": r["code"],
                "label": r["label"],
                "event": r["event"],
                "basis": r["basis"],
                "amount": format_fen(r["amount_fen"]) if r.get("amount_fen") else "",
                "rate": stored.format_ppm(r["rate_ppm"]).rstrip("%") if r.get("rate_ppm") else "",
                "min_basis": format_fen(r["min_basis_fen"]) if r.get("min_basis_fen") else "",
                "line_cap": format_fen(r["line_cap_fen"]) if r.get("line_cap_fen") is not None else "",
                "group": r.get("group", ""),
                **{f: list(r.get(f) or []) for f in MULTI},
            }
        )
    return out


def _scheme_form(request: HttpRequest, *, code: str | None) -> HttpResponse:
    """New scheme (code None) or a change of an existing one (a new version); input kept, all errors shown."""
    actor = acting_user(request)
    scheme = selectors.scheme_get(actor=actor, code=code) if code else None
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        fields = {k: request.POST.get(k, "") for k in ("name", "unit_cap", "pool", "region_role", "source")}
        fields["no_double_support"] = request.POST.get("no_double_support", "")
        rows = _rows_from_post(request)
        regions = request.POST.get("regions", "").replace("，", ",").replace(" ", ",").split(",")
        new_code = request.POST.get("code", "") if scheme is None else scheme.code
        try:
            definition, text_errors = services.definition_from_form(fields, rows)
            if scheme is None:
                created = services.scheme_create(
                    actor=actor,
                    code=new_code,
                    definition=definition,
                    regions=regions,
                    form_errors=text_errors,
                )
                messages.success(request, "奖补方案已建立（第 1 版）")
                return redirect("programmes:scheme-detail", code=created.code)
            version = services.scheme_revise(
                actor=actor,
                code=scheme.code,
                definition=definition,
                regions=regions,
                note=request.POST.get("note", ""),
                form_errors=text_errors,
            )
            messages.success(request, f"已保存为第 {version.number} 版；已生成的批次仍按原版本")
            return redirect("programmes:scheme-detail", code=scheme.code)
        except NotFound:
            raise Http404()
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise
            errors = form_errors(exc)
        form = {
            **fields,
            "code": new_code,
            "regions": request.POST.get("regions", ""),
            "note": request.POST.get("note", ""),
        }
    elif scheme is not None:
        version = selectors.current_version(scheme)
        d = version.definition
        form = {
            "code": scheme.code,
            "name": d["name"],
            "unit_cap": format_fen(d["unit_cap_fen"]) if d.get("unit_cap_fen") is not None else "",
            "pool": format_fen(d["pool_fen"]) if d.get("pool_fen") is not None else "",
            "no_double_support": "on" if d.get("no_double_support") else "",
            "region_role": d.get("region_role", "enterprise"),
            "source": d.get("source", ""),
            "regions": ",".join(version.regions),
            "note": "",
        }
        rows = _rows_from_definition(d)
    else:
        form = {"no_double_support": "on", "region_role": "enterprise", "regions": office_prefix(actor) or ""}
        rows = []
    rows = rows + [{f: "" for f in TEXT} | {f: [] for f in MULTI} for _ in range(2)]
    row_errors: dict[int, list[str]] = {}
    general: list[str] = []
    for e in errors:
        field = e.get("field") or ""
        if field.startswith("rules[") and "]" in field:
            row_errors.setdefault(int(field[6 : field.index("]")]), []).append(e["zh"])
        else:
            general.append(f"{e['zh']}（{e['en']}）" if e.get("en") else e["zh"])
    for i, row in enumerate(rows):
        row["index"] = i
        row["errors"] = row_errors.get(i, [])
        row["checks"] = [
            (label, f, [(k, v, k in row[f]) for k, v in table.items()])
            for f, (label, table) in CHOICES.items()
        ]
    return render(
        request,
        "programmes/scheme_form.html",
        {
            "scheme": scheme,
            "form": form,
            "rows": rows,
            "rule_count": len(rows),
            "general_errors": general,
            "error_count": sum(len(v) for v in row_errors.values()),
            "error_total": len(errors),
            "events": engine.EVENTS,
            "bases": engine.BASES,
            "region_roles": engine.REGION_ROLES,
        },
        status=400 if errors else 200,
    )


@roles_required(*OFFICE)
def scheme_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            scheme = services.scheme_load_preset(
                actor=acting_user(request),
                preset=request.POST.get("preset", ""),
                code=request.POST.get("code", ""),
            )
            messages.success(request, "已载入预设方案（第 1 版），可在此基础上修改")
            return redirect("programmes:scheme-detail", code=scheme.code)
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise
            for e in form_errors(exc):
                messages.error(request, e["zh"])
    schemes = selectors.schemes_visible(acting_user(request)).prefetch_related("versions")
    return render(
        request,
        "programmes/schemes.html",
        {"schemes": schemes, "presets": scheme_presets.PRESETS},
    )


@roles_required(*OFFICE)
def scheme_new(request: HttpRequest) -> HttpResponse:
    return _scheme_form(request, code=None)


@roles_required(*OFFICE)
def scheme_edit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        return _scheme_form(request, code=code)
    except NotFound:
        raise Http404()


def _rule_text(rule: dict[str, Any]) -> dict[str, Any]:
    basis = rule["basis"]
    if basis in engine.RATE_BASES:
        amount = f"{engine.BASES[basis]} {stored.format_ppm(rule['rate_ppm'])}"
        if rule.get("min_basis_fen"):
            amount += f"（超过 {format_fen(rule['min_basis_fen'])} 元部分起算）"
    else:
        amount = f"{engine.BASES[basis]} {format_fen(rule['amount_fen'])} 元"
    if rule.get("line_cap_fen") is not None:
        amount += f"，单项不超过 {format_fen(rule['line_cap_fen'])} 元"

    def names(field: str, table: dict[str, str]) -> str:
        return "、".join(table.get(v, v) for v in rule.get(field) or []) or "不限"

    return {
        "code": rule["code"],
        "label": rule["label"],
        "event": engine.EVENTS.get(rule["event"], rule["event"]),
        "amount": amount,
        "beneficiaries": names("beneficiaries", engine.ROLES),
        "eligibility": f"专利类型 {names('patent_types', engine.PATENT_TYPES)}；供给方 {names('supplier_types', engine.ORG_TYPES)}；"
        f"企业方 {names('enterprise_types', engine.ORG_TYPES)}，规模 {names('enterprise_sizes', engine.SIZES)}",
        "requires": names("requires", engine.CONDITIONS) if rule.get("requires") else "无",
        "group": rule.get("group") or "—",
    }


@roles_required(*OFFICE)
def scheme_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        scheme = selectors.scheme_get(actor=acting_user(request), code=code)
    except NotFound:
        raise Http404()
    versions = list(scheme.versions.select_related("created_by"))
    wanted = request.GET.get("version")
    version = next((v for v in versions if str(v.number) == wanted), None) or next(
        v for v in versions if v.number == scheme.current_version
    )
    d = version.definition
    return render(
        request,
        "programmes/scheme_detail.html",
        {
            "scheme": scheme,
            "version": version,
            "versions": versions,
            "d": d,
            "rules": [_rule_text(r) for r in d["rules"]],
            "unit_cap": "不限" if d.get("unit_cap_fen") is None else format_fen(d["unit_cap_fen"]) + " 元",
            "pool": "不限" if d.get("pool_fen") is None else format_fen(d["pool_fen"]) + " 元",
            "region_role": engine.REGION_ROLES.get(d.get("region_role", ""), ""),
        },
    )


# ---- pledge-loan figures -----------------------------------------------------------------------------------


@roles_required("office_official", "enterprise_user")
def pledge_figures(request: HttpRequest) -> HttpResponse:
    deals = list(
        selectors.pledge_deals_visible(acting_user(request)).select_related("institution", "loan_figures")[
            :200
        ]
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.pledge_figures_record(
                actor=acting_user(request),
                deal_id=int(request.POST.get("deal") or 0),
                interest_paid_yuan=request.POST.get("interest_paid", ""),
                premium_paid_yuan=request.POST.get("premium_paid", ""),
                annual_rate_percent=request.POST.get("annual_rate", ""),
                paid_until=date.fromisoformat(request.POST["paid_until"])
                if request.POST.get("paid_until")
                else None,
            )
            messages.success(request, "已保存贷款付息与保费")
            return redirect("programmes:pledge-figures")
        except NotFound:
            raise Http404()
        except ValueError:
            errors = ["付息截至日期格式应为 YYYY-MM-DD"]
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise
            errors = [e["zh"] for e in form_errors(exc)]
    rows = []
    for d in deals:
        f = getattr(d, "loan_figures", None)
        rows.append(
            {
                "deal": d,
                "loan": format_fen(d.contract_amount_fen),
                "interest": format_fen(f.interest_paid_fen) if f else "",
                "premium": format_fen(f.premium_paid_fen) if f else "",
                "rate": units.format_rate(f.annual_rate_bp).rstrip("%")
                if f and f.annual_rate_bp is not None
                else "",
                "paid_until": f.paid_until.isoformat() if f and f.paid_until else "",
            }
        )
    return render(
        request,
        "programmes/pledge_figures.html",
        {"rows": rows, "errors": errors},
        status=400 if errors else 200,
    )
