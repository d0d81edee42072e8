"""Pages: 奖补方案 (list, presets, define, change = new version, any version), pledge-loan figures, 事前资助 projects
(office: fund, list, accept; holder: self-evaluate)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engine.deals.money import format_fen
from engine.monitoring import units
from engine.programmes import presets as scheme_presets
from engine.programmes import subsidy as engine
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization, OrganizationType
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.permissions import roles_required
from panhuo.programmes import selectors, services
from panhuo.programmes.apps import HOLDER_ROLES, OFFICE
from panhuo.programmes.models import ProjectEvidence, ProjectStatus

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


def _errors(exc: ApplicationError) -> list[dict[str, str]]:
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
                "rate": engine.format_ppm(r["rate_ppm"]).rstrip("%") if r.get("rate_ppm") else "",
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
            errors = _errors(exc)
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
            for e in _errors(exc):
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
        amount = f"{engine.BASES[basis]} {engine.format_ppm(rule['rate_ppm'])}"
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
            errors = [e["zh"] for e in _errors(exc)]
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


# ---- 事前资助 projects -------------------------------------------------------------------------------------


@roles_required(*OFFICE, *HOLDER_ROLES)
def project_list(request: HttpRequest) -> HttpResponse:
    projects = selectors.projects_visible(acting_user(request)).select_related("holder")
    status = request.GET.get("status", "")
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    stats = selectors.project_stats(acting_user(request))
    return render(
        request,
        "programmes/projects.html",
        {
            "projects": [(p, format_fen(p.amount_fen)) for p in projects[:500]],
            "stats": stats,
            "stats_amount": format_fen(stats.amount_fen) if stats else "",
            "statuses": ProjectStatus.choices,
            "status": status,
        },
    )


@roles_required(*OFFICE)
def project_new(request: HttpRequest) -> HttpResponse:
    own = office_prefix(acting_user(request)) or ""
    holders = Organization.objects.filter(
        type__in=(OrganizationType.UNIVERSITY, OrganizationType.INSTITUTE, OrganizationType.ENTERPRISE),
        region_code__startswith=own,
    ).order_by("type", "name")[:500]
    errors: list[dict[str, str]] = []
    form: dict[str, Any] = {}
    targets: list[dict[str, str]] = []
    if request.method == "POST":
        form = {
            k: request.POST.get(k, "")
            for k in ("code", "name", "holder", "category", "amount", "start", "end", "source")
        }
        targets = [
            {
                "name": request.POST.get(f"t{i}_name", ""),
                "unit": request.POST.get(f"t{i}_unit", ""),
                "target": request.POST.get(f"t{i}_target", ""),
            }
            for i in range(min(int(request.POST.get("target_count") or 0), 30))
        ]
        dates: dict[str, date | None] = {}
        date_errors = []
        for k in ("start", "end"):
            try:
                dates[k] = date.fromisoformat(form[k]) if form[k] else None
            except ValueError:
                dates[k] = None
                date_errors.append(
                    {
                        "field": k,
                        "zh": f"{'开始' if k == 'start' else '结束'}日期格式应为 YYYY-MM-DD",
                        "en": "",
                    }
                )
        try:
            project = services.project_create(
                actor=acting_user(request),
                code=form["code"],
                name=form["name"],
                holder_id=int(form["holder"]) if form["holder"].isdigit() else None,
                amount_yuan=form["amount"],
                start=dates["start"],
                end=dates["end"],
                targets=targets,
                category=form["category"],
                source=form["source"],
            )
            if not date_errors:
                messages.success(request, "事前资助项目已建立")
                return redirect("programmes:project-detail", pk=project.pk)
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise
            errors = _errors(exc)
        errors = date_errors + [e for e in errors if not (e["field"] in ("start", "end") and date_errors)]
    targets = [t for t in targets if t["name"] or t["target"]] + [
        {"name": "", "unit": "件", "target": ""} for _ in range(3)
    ]
    return render(
        request,
        "programmes/project_form.html",
        {
            "form": form,
            "holders": holders,
            "targets": list(enumerate(targets)),
            "target_count": len(targets),
            "units": units.UNITS,
            "errors": [f"{e['zh']}（{e['en']}）" if e.get("en") else e["zh"] for e in errors],
        },
        status=400 if errors else 200,
    )


@roles_required(*OFFICE, *HOLDER_ROLES)
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        project = selectors.project_get(actor=acting_user(request), pk=pk)
    except NotFound:
        raise Http404()
    targets = list(project.targets.all())
    errors: list[str] = []
    kept: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "evaluate":
                kept = {
                    k: str(request.POST.get(k, ""))
                    for k in request.POST
                    if k.startswith("actual_") or k == "self_evaluation"
                }
                files = [
                    (f.name or "file", f.read(services.EVIDENCE_MAX_BYTES + 1))
                    for f in request.FILES.getlist("evidence")
                ]
                services.project_self_evaluate(
                    actor=acting_user(request),
                    project_id=project.pk,
                    actuals={t.pk: request.POST.get(f"actual_{t.pk}", "") for t in targets},
                    self_evaluation=request.POST.get("self_evaluation", ""),
                    files=files,
                )
                messages.success(request, "自评已提交，等待知识产权局验收")
            elif action == "accept":
                kept = {"reason": request.POST.get("reason", "")}
                services.project_accept(
                    actor=acting_user(request),
                    project_id=project.pk,
                    decision=request.POST.get("decision", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, "验收结论已保存")
            return redirect("programmes:project-detail", pk=project.pk)
        except NotFound:
            raise Http404()
        except ApplicationError as exc:
            if exc.code == "forbidden":
                raise
            errors = [e["zh"] for e in _errors(exc)]
    user = acting_user(request)
    is_holder = (
        getattr(user, "organization_id", None) == project.holder_id
        and getattr(user, "role", "") in HOLDER_ROLES
    )
    is_office = getattr(user, "organization_id", None) == project.office_id
    rows = [
        {
            "t": t,
            "target": units.format_value(t.target, t.unit),
            "actual": units.format_value(t.actual, t.unit) if t.actual is not None else "—",
            "met": t.actual is not None and t.actual >= t.target,
            "input": kept.get(f"actual_{t.pk}", "" if t.actual is None else _input_text(t.actual, t.unit)),
            "word": units.unit_word(t.unit),
        }
        for t in targets
    ]
    return render(
        request,
        "programmes/project_detail.html",
        {
            "p": project,
            "amount": format_fen(project.amount_fen),
            "rows": rows,
            "evidence": project.evidence.only("pk", "name", "size", "uploaded_at"),
            "can_evaluate": is_holder and project.status in (ProjectStatus.FUNDED, ProjectStatus.RECTIFY),
            "can_accept": is_office and project.status == ProjectStatus.SUBMITTED,
            "errors": errors,
            "kept": kept,
            "decisions": [(v, label) for v, label in ProjectStatus.choices if v in services.ACCEPT_DECISIONS],
        },
        status=400 if errors else 200,
    )


def _input_text(value: int, unit: str) -> str:
    """A stored value as the text the form takes back (units.parse_value's inverse)."""
    number, _word = units.spreadsheet_number(value, unit)
    return f"{number:.2f}" if isinstance(number, float) else str(number)


@roles_required(*OFFICE, *HOLDER_ROLES)
def project_evidence(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    try:
        project = selectors.project_get(actor=acting_user(request), pk=pk)
    except NotFound:
        raise Http404()
    ev = ProjectEvidence.objects.filter(project=project, pk=evidence_id).first()
    if ev is None:
        raise Http404()
    response = HttpResponse(bytes(ev.data), content_type=ev.content_type)
    response["Content-Disposition"] = f"attachment; filename=evidence-{ev.pk}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
