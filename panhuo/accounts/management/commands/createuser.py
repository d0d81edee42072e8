from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.accounts.models import College, Organization, Role
from panhuo.accounts.services import user_create
from panhuo.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Create a personal account with an issued password (changed at first login). 创建用户。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--org", default="", help="organization code (omit for the three admins)")
        parser.add_argument("--college", default="", help="college code inside the organization")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default="", help="omit to generate one")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        org = None
        if o["org"]:
            org = Organization.objects.filter(code=o["org"]).first()
            if org is None:
                raise CommandError(f"机构不存在 unknown organization: {o['org']}")
        college = (
            College.objects.filter(organization=org, code=o["college"]).first()
            if o["college"] and org
            else None
        )
        if o["college"] and college is None:
            raise CommandError(f"学院不存在 unknown college: {o['college']}")
        try:
            user, password = user_create(
                username=o["username"],
                role=o["role"],
                organization=org,
                college=college,
                display_name=o["name"],
                email=o["email"],
                password=o["password"] or None,
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}")
        if o["json"]:
            self.stdout.write(
                json.dumps({"username": user.username, "role": user.role, "password": password})
            )
        else:
            self.stdout.write(
                f"已创建用户 created {user.username} ({user.get_role_display()}); 初始密码 password: {password}"
            )
