"""HTML forms of the administration console (meaning is checked by services; refusals shown by `form_error`)."""

from __future__ import annotations

from django import forms

from panhuo.accounts.models import OfficeLevel, OrganizationType, Role


class OrganizationForm(forms.Form):
    code = forms.CharField(label="机构代码", max_length=64)
    name = forms.CharField(label="名称", max_length=200)
    type = forms.ChoiceField(label="类型", choices=OrganizationType.choices)
    region_code = forms.RegexField(
        label="行政区划代码",
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": "行政区划代码为 6 位数字（region code is 6 digits）"},
    )
    office_level = forms.ChoiceField(
        label="局级别（知识产权局）", choices=[("", "—")] + list(OfficeLevel.choices), required=False
    )
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=300, required=False)
    legal_representative = forms.CharField(label="法定代表人", max_length=100, required=False)


class OrganizationEditForm(OrganizationForm):
    """Code and type are fixed once created (other records refer to them)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["code"]
        del self.fields["type"]


class CollegeForm(forms.Form):
    code = forms.CharField(label="学院代码", max_length=64)
    name = forms.CharField(label="学院名称", max_length=200)


class UserForm(forms.Form):
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        error_messages={"invalid": "用户名为 3–150 位字母、数字或 _.@+-（letters, digits, _.@+-）"},
    )
    display_name = forms.CharField(label="姓名", max_length=100)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    college = forms.ChoiceField(label="学院", required=False)
    email = forms.EmailField(label="邮箱", required=False)
    phone = forms.RegexField(
        label="手机号",
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": "手机号为 11 位数字（11-digit mobile number）"},
    )

    def __init__(
        self, *args: object, colleges: list[tuple[str, str]] | None = None, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["college"].choices = [("", "—")] + (colleges or [])  # type: ignore[attr-defined]


class UserEditForm(UserForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["username"]
        del self.fields["role"]


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label="新角色", choices=Role.choices)
    reason = forms.CharField(label="理由", max_length=300, required=False)
