"""企业信息: registration / edit with a suggested industry the user confirms; office enterprise list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from panhuo.accounts.acting import acting_user
from panhuo.common.crypto import mask_phone
from panhuo.common.errors import ApplicationError, PermissionRefused
from panhuo.common.permissions import roles_required
from panhuo.demand import selectors, services
from panhuo.demand.forms import ProfileForm
from panhuo.demand.industries import suggest_industries
from panhuo.demand.models import Qualification
from panhuo.demand.views.common import ENTERPRISE, OFFICE, form_error


@roles_required(*ENTERPRISE)
def profile_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    org = user.organization
    if org is None:
        raise PermissionRefused("账号未关联企业", "your account belongs to no enterprise")
    profile = selectors.profile_of(user)
    suggestions = []
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            suggestions = suggest_industries(data["business_scope"])
            if "suggest" in request.POST:
                if suggestions and not data["industry_code"]:
                    filled = request.POST.copy()
                    filled["industry_code"] = suggestions[0].code
                    form = ProfileForm(filled)
                    form.is_valid()
            else:
                try:
                    services.enterprise_profile_save(actor=acting_user(request), **data)
                except ApplicationError as exc:
                    form_error(form, exc)
                else:
                    messages.success(request, "企业信息已保存")
                    return redirect("demand:profile")
    else:
        initial: dict[str, Any] = {
            "name": org.name,
            "credit_code": org.credit_code,
            "region_code": org.region_code,
        }
        if profile is not None:
            initial.update(
                size=profile.size,
                qualifications=profile.qualifications,
                business_scope=profile.business_scope,
                technical_focus=profile.technical_focus,
                industry_code=profile.industry_code,
                industry_confirmed=profile.industry_confirmed,
                contact_name=profile.contact_name,
                contact_phone=profile.contact_phone,
                contact_email=profile.contact_email,
            )
            suggestions = suggest_industries(profile.business_scope)
        form = ProfileForm(initial=initial)
    return render(
        request,
        "demand/profile.html",
        {"form": form, "profile": profile, "suggestions": suggestions},
    )


@roles_required(*OFFICE)
def enterprises_view(request: HttpRequest) -> HttpResponse:
    qs = selectors.enterprises_visible(acting_user(request)).order_by("organization__name")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(organization__name__icontains=q)
    qualification = request.GET.get("qualification", "")
    if qualification:
        qs = selectors.with_qualifications(qs, [qualification])
    rows = [{"p": p, "phone": mask_phone(p.contact_phone)} for p in qs[:200]]
    return render(
        request,
        "demand/enterprises.html",
        {
            "rows": rows,
            "q": q,
            "total": qs.count(),
            "qualification": qualification,
            "qualifications": Qualification.choices,
        },
    )
