from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from panhuo.accounts.models import Organization
from panhuo.accounts.visibility import region_prefix
from panhuo.upkeep.selectors import UNUSED_YEARS, fiscal_unused_count


class Command(BaseCommand):
    help = (
        f"财政资助形成、授权满 {UNUSED_YEARS} 年未实施的专利数: panhuo fiscal_unused "
        "[--institution CODE | --office CODE | --region P] [--json]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--institution", default="")
        parser.add_argument("--office", default="")
        parser.add_argument("--region", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        institution_id, prefix = None, o["region"]
        for option in ("institution", "office"):
            if o[option]:
                org = Organization.objects.filter(code=o[option]).first()
                if org is None:
                    raise CommandError(f"unknown organization {o[option]} / 机构代码不存在")
                if option == "institution":
                    institution_id = org.pk
                else:
                    prefix = region_prefix(org.region_code)
        n = fiscal_unused_count(
            today=timezone.localdate(), region_prefix=prefix, institution_id=institution_id
        )
        if o["json"]:
            self.stdout.write(
                json.dumps({"region_prefix": prefix, "institution_id": institution_id, "count": n})
            )
        else:
            self.stdout.write(f"{n}")
