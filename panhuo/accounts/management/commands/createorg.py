from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.accounts.models import Organization, OrganizationType
from panhuo.accounts.services import college_create, organization_create
from panhuo.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an organization (tenant). 创建机构。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--type", required=True, choices=OrganizationType.values)
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--region", default="", help="行政区划代码, e.g. 500000")
        parser.add_argument(
            "--office-level", default="", choices=["", "national", "province", "city", "district"]
        )
        parser.add_argument(
            "--parent", default="", help="parent organization code (city office under province)"
        )
        parser.add_argument("--credit-code", default="")
        parser.add_argument("--college", action="append", default=[], help="CODE=名称, repeatable")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        parent = Organization.objects.filter(code=o["parent"]).first() if o["parent"] else None
        try:
            org = organization_create(
                code=o["code"],
                name=o["name"],
                type=o["type"],
                region_code=o["region"],
                office_level=o["office_level"],
                parent=parent,
                credit_code=o["credit_code"],
            )
            for spec in o["college"]:
                code, _, name = spec.partition("=")
                college_create(organization=org, code=code, name=name or code)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message_zh} / {exc.message_en}")
        if o["json"]:
            self.stdout.write(
                json.dumps({"id": org.pk, "code": org.code, "type": org.type}, ensure_ascii=False)
            )
        else:
            self.stdout.write(f"已创建机构 created: {org.code} {org.name} ({org.get_type_display()})")
