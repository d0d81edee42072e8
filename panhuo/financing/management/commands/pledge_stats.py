from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from engine.deals.money import format_fen
from panhuo.accounts.visibility import region_prefix
from panhuo.financing.selectors import pledge_statistics


class Command(BaseCommand):
    help = "质押融资 statistics of a region and year: applications, approvals, amounts, by bank and region. 质押融资统计。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--region", default="", help="region code or prefix (default: the whole country)")
        parser.add_argument("--year", type=int, default=None, help="year of submission (default: this year)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        s = pledge_statistics(
            year=o["year"] or timezone.localdate().year, region_prefix=region_prefix(o["region"])
        )
        if o["json"]:
            self.stdout.write(json.dumps(asdict(s), ensure_ascii=False))
            return
        self.stdout.write(
            f"{s.year} 年：申请 {s.applications} 笔，批准 {s.approved} 笔 {format_fen(s.approved_fen)} 元，"
            f"质押登记 {s.registered} 笔 {format_fen(s.registered_fen)} 元，拒绝 {s.rejected} 笔，待审批 {s.pending} 笔；"
            f"未还款 {s.live} 笔 {format_fen(s.live_fen)} 元"
        )
        for r in s.by_bank:
            self.stdout.write(
                f"  {r.name}: 申请 {r.applications}，批准 {r.approved}，{format_fen(r.approved_fen)} 元"
            )
