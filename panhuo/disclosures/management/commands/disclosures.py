from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from panhuo.accounts.models import Organization
from panhuo.accounts.visibility import region_prefix
from panhuo.disclosures.stats import deadlines_due, disclosure_statistics


class Command(BaseCommand):
    help = (
        "技术交底与申请前评估: panhuo disclosures stats [--year Y] [--region P | --office CODE | --institution CODE]"
        " [--json]; panhuo disclosures deadlines [--within 30] [--institution CODE] [--json]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["stats", "deadlines"])
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--year", type=int, default=None, help="calendar year (default: this year)")
        parser.add_argument("--region", default="", help="region prefix, e.g. 50 (default: national)")
        parser.add_argument("--office", default="", help="an IP office code: its region")
        parser.add_argument("--institution", default="", help="an institution code")
        parser.add_argument(
            "--within", type=int, default=30, help="deadlines: days ahead (overdue always shown)"
        )

    def _org(self, code: str) -> Organization:
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"unknown organization {code} / 机构代码不存在")
        return org

    def handle(self, *args: Any, **o: Any) -> None:
        institution = self._org(o["institution"]) if o["institution"] else None
        if o["action"] == "deadlines":
            rows = deadlines_due(
                within_days=o["within"], institution_id=institution.pk if institution else None
            )
            if o["json"]:
                self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
                return
            for r in rows:
                flag = "已逾期" if r["overdue"] else "将到期"
                self.stdout.write(
                    f"{r['deadline']} {flag} {r['institution']} {r['title']}（{r['decision']}）"
                )
            self.stdout.write(f"{len(rows)} 项")
            return
        prefix = o["region"]
        if o["office"]:
            prefix = region_prefix(self._org(o["office"]).region_code)
        stats = disclosure_statistics(
            year=o["year"] or timezone.localdate().year,
            region_prefix=prefix,
            institution_id=institution.pk if institution else None,
        )
        data = stats.as_dict()
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        self.stdout.write(
            f"{data['year']} 技术交底 {data['disclosures']} 份，评估 {data['decided']} 份，申请 {data['filings']} 件，"
            f"申请经评估比例 {data['evaluated_share_percent'] if data['applications'] else '—'}%"
        )
        for label, n in data["outcomes"].items():
            self.stdout.write(f"  {label} {n}")
