"""企业自助注册 (public, rate-limited per IP) and the office's size/region confirmation queue."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from panhuo.accounts.acting import acting_user
from panhuo.accounts.models import User
from panhuo.common.errors import ApplicationError
from panhuo.common.permissions import public, roles_required
from panhuo.common.ratelimit import rate_limited
from panhuo.demand import selectors
from panhuo.demand.models import EnterpriseSize, Qualification
from panhuo.demand.services import checks
from panhuo.demand.services.registration import (
    enterprise_profile_confirm,
    enterprise_register,
    enterprise_registration_confirm,
)
from panhuo.demand.views.common import OFFICE, form_error


class RegistrationForm(forms.Form):
    name = forms.CharField(label="企业名称", max_length=200)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30)
    region_code = forms.CharField(label="所属地区（6 位行政区划代码）", max_length=6)
    size = forms.ChoiceField(label="企业规模", choices=[("", "—")] + list(EnterpriseSize.choices))
    qualifications = forms.MultipleChoiceField(
        label="企业资质", choices=Qualification.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    contact_name = forms.CharField(label="联系人", max_length=100)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    email = forms.EmailField(label="邮箱（用于确认注册）")
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": "用户名为 3–150 位字母、数字或 _.@+-（letters, digits, _.@+-）"},
    )
    password = forms.CharField(label="密码", widget=forms.PasswordInput(render_value=False), strip=False)
    password2 = forms.CharField(
        label="再次输入密码", widget=forms.PasswordInput(render_value=False), strip=False
    )

    def _check(self, field: str, check: object) -> str:
        try:
            return check(self.cleaned_data[field])  # type: ignore[operator,no-any-return]
        except ApplicationError as exc:
            raise ValidationError(f"{exc.message_zh}（{exc.message_en}）") from None

    def clean_credit_code(self) -> str:
        return self._check("credit_code", checks.credit_code)

    def clean_region_code(self) -> str:
        return self._check("region_code", checks.region_code)

    def clean_contact_phone(self) -> str:
        return self._check("contact_phone", checks.phone)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password, again = data.get("password"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", "两次输入的密码不一致（passwords differ）")
        elif password:
            try:
                validate_password(
                    str(password),
                    User(username=str(data.get("username", "")), email=str(data.get("email", ""))),
                )
            except ValidationError as exc:
                self.add_error("password", "；".join(exc.messages))
        return data


@public
@rate_limited("register", "10/h", methods=("POST",))
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enterprise_register(
                name=data["name"],
                credit_code=data["credit_code"],
                region_code=data["region_code"],
                size=data["size"],
                qualifications=list(data["qualifications"]),
                username=data["username"],
                email=data["email"],
                password=data["password"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                confirm_url=request.build_absolute_uri(reverse("demand:public-register-confirm")),
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            # The same answer whether or not the enterprise was already registered (no enumeration).
            return redirect("demand:public-register-sent")
    return render(request, "demand/register.html", {"form": form}, status=400 if form.errors else 200)


@public
@require_GET
def register_sent_view(request: HttpRequest) -> HttpResponse:
    return render(request, "demand/register_sent.html")


@public
@rate_limited("register-confirm", "30/h", methods=("POST",))
@require_http_methods(["GET", "POST"])
def register_confirm_view(request: HttpRequest) -> HttpResponse:
    """GET shows a button (a read never writes, and mail scanners only GET); POST activates the account."""
    token = (request.POST.get("token") or request.GET.get("token") or "")[:500]
    error = ""
    if request.method == "POST":
        try:
            enterprise_registration_confirm(token=token)
        except ApplicationError as exc:
            error = f"{exc.message_zh}（{exc.message_en}）"
        else:
            messages.success(request, "注册已确认，请登录。Registration confirmed, please sign in.")
            return redirect("accounts:login")
    return render(
        request,
        "demand/register_confirm.html",
        {"token": token, "error": error},
        status=400 if error else 200,
    )


@roles_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def enterprise_confirm_view(request: HttpRequest) -> HttpResponse:
    """The office's queue: confirm each enterprise's size and region (then it counts for subsidies)."""
    if request.method == "POST":
        raw = request.POST.get("profile", "")
        profile = enterprise_profile_confirm(
            actor=acting_user(request), profile_id=int(raw) if raw.isdigit() else 0
        )
        messages.success(request, f"已确认：{profile.organization.name}")
        return redirect("demand:enterprise-confirm")
    queue = selectors.enterprises_awaiting_confirmation(acting_user(request))
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(request, "demand/enterprise_confirm.html", {"page": page})
