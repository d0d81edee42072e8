from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from panhuo.accounts.models import Organization
from panhuo.outcomes.selectors import outcomes_due_count


class Command(BaseCommand):
    help = "产业化成效填报提醒: signed deals of earlier years without last year's results. [--institution CODE] [--json]"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--institution", default="")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        institution_id = None
        if o["institution"]:
            org = Organization.objects.filter(code=o["institution"]).first()
            if org is None:
                raise CommandError(f"unknown organization {o['institution']} / 机构代码不存在")
            institution_id = org.pk
        today = timezone.localdate()
        n = outcomes_due_count(today=today, institution_id=institution_id)
        if o["json"]:
            self.stdout.write(json.dumps({"year": today.year - 1, "deals_without_results": n}))
        else:
            self.stdout.write(f"{today.year - 1} 年产业化成效待填报的交易：{n}")
