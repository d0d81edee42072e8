from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from engine.classification.ipc import IpcError, split_ipc_list
from panhuo.classification.classifier import classify_codes, tags_for
from panhuo.classification.selectors import suggest_industries_for_scope


class Command(BaseCommand):
    help = "Classify IPC codes (--ipc) or a business scope (--scope) into GB/T 4754 / SEI / tags. 分类查询。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ipc", help="one or more IPC codes (main first), separated by ; or ,")
        parser.add_argument("--title", help="title/abstract text for keyword conditions")
        parser.add_argument("--scope", help="经营范围 text")
        parser.add_argument("--top", type=int, default=5)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        if bool(o["ipc"]) == bool(o["scope"]):
            raise CommandError("请给出 --ipc 或 --scope 之一 / give exactly one of --ipc or --scope")
        if o["ipc"]:
            try:
                c = classify_codes(split_ipc_list(o["ipc"]), o["title"], top=o["top"])
            except IpcError as exc:
                raise CommandError(f"{exc.message_zh} / {exc.message_en}") from exc
            source_kind = "derived" if c.industry_derived else "official"
            data: dict[str, Any] = {
                "ipc": c.ipc[0],
                "ipc_codes": c.ipc,
                "historic": [
                    {"code": r.original, "classified_as": r.current, "via": r.via}
                    for r in c.revised
                    if r.historic
                ],
                "guessed_groups": c.guessed_groups,
                "industries": [
                    {
                        "code": h.code,
                        "name": h.name,
                        "confidence": h.confidence,
                        "source": f"{source_kind}:{c.industry_edition}",
                        "evidence": list(h.sources),
                    }
                    for h in c.industries
                ],
                "sei": [
                    {
                        "code": h.code,
                        "name": h.name,
                        "confidence": h.confidence,
                        "source": h.sources[0] if h.sources else "",
                    }
                    for h in c.sei
                ],
                "tags": c.tags,
            }
        else:
            sugg = suggest_industries_for_scope(o["scope"], top=o["top"])
            from engine.classification.rules import Hit

            hits = [Hit(s.code, s.name, s.score, ()) for s in sugg]
            data = {
                "scope": o["scope"],
                "industries": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "confidence": s.score,
                        "source": "scope-notes",
                        "matched_terms": list(s.matched_terms),
                    }
                    for s in sugg
                ],
                "sei": [],
                "tags": tags_for(hits[:3]),
            }
        if o["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for ind in data["industries"]:
            self.stdout.write(f"{ind['code']}  {ind['name']}  {ind['confidence']:.3f}  {ind['source']}")
        for s in data["sei"]:
            self.stdout.write(f"SEI {s['code']}  {s['name']}  {s['confidence']:.3f}")
        for t in data["tags"]:
            self.stdout.write(f"TAG {t['tag']}  {t['name']}")
