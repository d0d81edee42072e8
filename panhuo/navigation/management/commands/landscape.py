from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.navigation.clustering import run_for
from panhuo.navigation.page import cli_json, landscape
from panhuo.navigation.postings import postings_sync
from panhuo.navigation.report import report_pdf, report_xlsx
from panhuo.navigation.scope import ScopeInvalid, parse_scope
from panhuo.navigation.selectors import system_visibility


class Command(BaseCommand):
    help = (
        "专利导航 landscape of a scope. panhuo landscape --ipc H01M [--ipc …] [--industry C3841] [--sei 6.3] "
        "[--keyword …] [--region 50] [--from Y --to Y] [--type invention] [--status valid] [--holder-type university] "
        "--json | --report out.pdf [--findings TEXT] [--no-clusters]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ipc", action="append", default=[])
        parser.add_argument("--industry", action="append", default=[])
        parser.add_argument("--sei", action="append", default=[])
        parser.add_argument("--keyword", action="append", default=[])
        parser.add_argument("--region", default="")
        parser.add_argument("--holder-type", action="append", default=[])
        parser.add_argument("--from", dest="year_from", default="")
        parser.add_argument("--to", dest="year_to", default="")
        parser.add_argument("--type", action="append", default=[])
        parser.add_argument("--status", action="append", default=[])
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--report", default="")
        parser.add_argument("--findings", default="", help="analyst's text for 结论与建议")
        parser.add_argument("--no-clusters", action="store_true", help="skip the text clusters (faster)")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            definition = parse_scope(
                {
                    "ipc": o["ipc"],
                    "industries": o["industry"],
                    "sei": o["sei"],
                    "keywords": o["keyword"],
                    "region": o["region"],
                    "holder_types": o["holder_type"],
                    "year_from": o["year_from"],
                    "year_to": o["year_to"],
                    "patent_types": o["type"],
                    "legal_statuses": o["status"],
                },
                check_codes=True,
            )
        except ScopeInvalid as e:
            raise CommandError("; ".join(e.errors.values()))
        postings_sync()  # the landscape facts of patents changed since the worker's last run (a command may write)
        visibility = system_visibility()
        figures = landscape(definition, visibility)
        if not o["no_clusters"]:
            run = run_for(definition, visibility)
            visible = figures["visible_ids"]
            clusters = [
                {
                    **{k: v for k, v in c.items() if k != "patent_ids"},
                    "patents": len([i for i in c["patent_ids"] if i in visible]),
                }
                for c in run["clusters"]
            ]
            figures["clusters"] = {
                "clusters": clusters,
                "emerging": [c for c in clusters if c["emerging"]],
                "note": run["note"],
                "matches": run["matches"],
                "computed_at": None,
                "seconds": run["seconds"],
                "patents": run["patents"],
                "vectors": run["vectors"],
            }
        if o["report"]:
            title = "专利导航报告"
            out = Path(o["report"])
            out.write_bytes(report_pdf(figures, title=title, findings=o["findings"]))
            annex = out.with_suffix(".xlsx")
            annex.write_bytes(report_xlsx(figures, title=title, findings=o["findings"]))
            self.stderr.write(f"{out} + {annex}")
        if o["json"] or not o["report"]:
            self.stdout.write(json.dumps(cli_json(figures), ensure_ascii=False, default=str))
