"""Bulk inventor accounts (发明人账号批量导入) from the XLSX/CSV template, through the imports framework.

The system admin uploads a list for one institution (the job's tenant); each row creates an inventor account
with an issued password (changed at first sign-in) that is e-mailed to the inventor, never shown or stored in
clear. Re-importing the same file is idempotent (upsert by 用户名). Lives in `portal` because the framework sits
above `accounts`.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction

from panhuo.accounts.models import College, Role, User
from panhuo.accounts.services import user_create
from panhuo.common.crypto import mask_phone
from panhuo.common.errors import ApplicationError
from panhuo.imports.registry import BatchResult, ColumnSpec, ImportHandler, Row, RowReject, register

INVENTOR_KIND = "inventors"
USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
PHONE = re.compile(r"^1\d{10}$")


def _welcome(user: User, password: str) -> None:
    send_mail(
        "盘活平台账号已开通 Your Panhuo account",
        (
            f"{user.name}，您好：\n\n{user.organization}为您开通了盘活平台发明人账号。\n"
            f"用户名：{user.username}\n初始密码：{password}\n首次登录后须修改密码。\n\n"
            "Your inventor account was created. Sign in with the username and password above; "
            "you will be asked to choose a new password."
        ),
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@register
class InventorImportHandler(ImportHandler):
    kind = INVENTOR_KIND
    label_zh = "发明人账号"
    template_version = "1"
    roles = ("system_admin",)
    batch_size = 200  # each new account hashes a password (Argon2id, ~25 ms)
    columns = (
        ColumnSpec("username", ("用户名", "账号", "username"), required=True, max_length=150),
        ColumnSpec("display_name", ("姓名", "name", "display name"), required=True, max_length=100),
        ColumnSpec("email", ("邮箱", "电子邮箱", "email", "e-mail"), required=True, max_length=254),
        ColumnSpec("college", ("学院", "学院代码", "college"), max_length=200, help_zh="学院代码或学院名称"),
        ColumnSpec("phone", ("手机号", "电话", "phone"), max_length=20),
    )

    def open(self, job: Any) -> None:
        self.colleges: dict[str, College] = {}
        for college in College.objects.filter(organization=job.organization):
            self.colleges[college.code.upper()] = college
            self.colleges[college.name] = college

    def _row_errors(self, line: int, raw: dict[str, str]) -> list[RowReject]:
        errors = []
        if not USERNAME.match(raw["username"]):
            errors.append(
                RowReject(
                    line,
                    "username",
                    raw["username"][:200],
                    "username_format",
                    "用户名为 3–150 位字母、数字或 _.@+-",
                    "username: 3-150 letters, digits or _.@+-",
                )
            )
        try:
            validate_email(raw["email"])
        except ValidationError:
            errors.append(
                RowReject(
                    line, "email", raw["email"][:200], "email_format", "邮箱格式不正确", "e-mail is malformed"
                )
            )
        if raw.get("college") and self._college(raw["college"]) is None:
            errors.append(
                RowReject(
                    line,
                    "college",
                    raw["college"][:200],
                    "college_unknown",
                    "本机构没有该学院（请填学院代码或名称）",
                    "no such college in this institution",
                )
            )
        if raw.get("phone") and not PHONE.match(raw["phone"]):
            errors.append(
                RowReject(
                    line,
                    "phone",
                    mask_phone(raw["phone"]),
                    "phone_format",
                    "手机号为 11 位数字",
                    "mobile number has 11 digits",
                )
            )
        return errors

    def _college(self, value: str) -> College | None:
        return self.colleges.get(value.strip().upper()) or self.colleges.get(value.strip())

    def process_batch(self, job: Any, rows: list[Row]) -> BatchResult:
        result = BatchResult()
        org = job.organization
        existing = {
            u.username: u for u in User.objects.filter(username__in=[raw["username"] for _, raw in rows])
        }
        for line, raw in rows:
            errors = self._row_errors(line, raw)
            if errors:
                result.rejects.extend(errors)
                continue
            college = self._college(raw["college"]) if raw.get("college") else None
            user = existing.get(raw["username"])
            if user is not None:
                if user.organization_id != org.pk or user.role != Role.INVENTOR:
                    result.rejects.append(
                        RowReject(
                            line,
                            "username",
                            raw["username"],
                            "user_exists",
                            "用户名已被其他账号使用",
                            "username belongs to another account",
                        )
                    )
                    continue
                wanted = {
                    "display_name": raw["display_name"],
                    "email": raw["email"],
                    "college_id": college.pk if college else user.college_id,
                }
                if all(getattr(user, k) == v for k, v in wanted.items()):
                    result.unchanged += 1
                    continue
                for key, value in wanted.items():
                    setattr(user, key, value)
                user.save(update_fields=["display_name", "email", "college"])
                result.updated += 1
                continue
            try:
                user, password = user_create(
                    username=raw["username"],
                    role=Role.INVENTOR,
                    organization=org,
                    college=college,
                    display_name=raw["display_name"],
                    email=raw["email"],
                    phone=raw.get("phone", ""),
                    must_change_password=True,
                    actor=job.created_by,
                )
            except ApplicationError as exc:
                column = exc.field if exc.field in {c.name for c in self.columns} else "username"
                result.rejects.append(
                    RowReject(
                        line, column, raw.get(column, "")[:200], exc.code, exc.message_zh, exc.message_en
                    )
                )
                continue
            existing[user.username] = user
            transaction.on_commit(functools.partial(_welcome, user, password))
            result.inserted += 1
        return result

    def template_example(self) -> dict[str, str]:
        return {
            "username": "zhang.san",
            "display_name": "张三",
            "email": "zhang.san@example.edu.cn",
            "college": "CS",
            "phone": "13800000000",
        }
