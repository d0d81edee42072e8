"""panhuo community_stats [--year Y] [--region PREFIX] [--json]: events, cases and brokering of a year."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from panhuo.community.selectors import community_statistics


class Command(BaseCommand):
    help = "Events (registrations, attendance, follow-up matches and deals), cases and brokering of a year. 活动与案例统计。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument(
            "--region", default="", help="region code prefix, e.g. 50 (Chongqing); empty: all"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        year = o["year"] or timezone.localdate().year
        s = community_statistics(year=year, region_prefix=o["region"])
        if o["json"]:
            data = asdict(s)
            data["rows"] = [{**r, "starts_at": r["starts_at"].isoformat()} for r in data["rows"]]
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        self.stdout.write(
            f"{year} 年：活动 {s.events} 场，报名 {s.registrations} 人，签到 {s.attended} 人（含现场签到 {s.walk_ins} 人），"
            f"后续撮合 {s.follow_up_matches} 项，促成交易 {s.follow_up_deals} 笔；"
            f"发布案例 {s.cases_published} 篇，待审核 {s.cases_pending} 篇；"
            f"撮合建议 {s.proposals} 项（双方接受 {s.proposals_accepted}），经服务机构撮合签约 {s.brokered_deals} 笔"
        )
        for r in s.rows:
            self.stdout.write(
                f"  {r.code} {r.title}（{r.kind}）报名 {r.registrations} 签到 {r.attended}（现场 {r.walk_ins}） "
                f"撮合 {r.matches} 交易 {r.deals}"
            )
