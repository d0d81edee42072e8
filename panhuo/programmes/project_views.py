"""Pages of 事前资助 projects: the office's list (with statistics), new project and acceptance; the holder's
self-evaluation with evidence files; evidence download (the project's office and holder only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from engine.deals.money import format_fen
from engine.monitoring import units
from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import Organization, OrganizationType
from panhuo.accounts.visibility import office_prefix
from panhuo.common.errors import ApplicationError, NotFound
from panhuo.common.permissions import roles_required
from panhuo.programmes import projects as project_services
from panhuo.programmes import selectors
from panhuo.programmes.apps import HOLDER_ROLES, OFFICE
from panhuo.programmes.models import ProjectEvidence, ProjectStatus
from panhuo.programmes.views import form_errors


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
            project = project_services.project_create(
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
            errors = form_errors(exc)
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
                    (f.name or "file", f.read(project_services.EVIDENCE_MAX_BYTES + 1))
                    for f in request.FILES.getlist("evidence")
                ]
                project_services.project_self_evaluate(
                    actor=acting_user(request),
                    project_id=project.pk,
                    actuals={t.pk: request.POST.get(f"actual_{t.pk}", "") for t in targets},
                    self_evaluation=request.POST.get("self_evaluation", ""),
                    files=files,
                )
                messages.success(request, "自评已提交，等待知识产权局验收")
            elif action == "accept":
                kept = {"reason": request.POST.get("reason", "")}
                project_services.project_accept(
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
            errors = [e["zh"] for e in form_errors(exc)]
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
            "decisions": [
                (v, label) for v, label in ProjectStatus.choices if v in project_services.ACCEPT_DECISIONS
            ],
        },
        status=400 if errors else 200,
    )


def _input_text(value: int, unit: str) -> str:
    """A stored value as the text the form takes back (units.parse_value's inverse)."""
    number, _word = units.spreadsheet_number(value, unit)
    return f"{number:.2f}" if isinstance(number, float | Decimal) else str(number)


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
