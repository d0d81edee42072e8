"""`panhuo match --need TEXT [--industry CODE] [--ipc G06F] [--top K] [--all] --json` / `panhuo match --patent KEY`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from engine.matching import MatchHit
from panhuo.common.errors import ApplicationError
from panhuo.matching import selectors
from panhuo.patents.models import InventoryRecord, InventoryState, Patent


def _hit_json(hit: MatchHit) -> dict[str, Any]:
    return {"score": round(hit.score, 4), "components": hit.components, "reasons": list(hit.reasons)}


def patent_by_key(key: str) -> Patent:
    key = key.strip().upper()
    patent = Patent.objects.filter(app_no=key).first()
    for cut in (2, 1):
        if patent is None and len(key) > cut:
            patent = Patent.objects.filter(pub_no=key[:-cut], pub_kind=key[-cut:]).first()
    if patent is None:
        raise CommandError(f"未找到专利 patent not found: {key}")
    return patent


class Command(BaseCommand):
    help = "Match a need (free text) to pooled patents, or a patent to enterprises. 智能匹配。"

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--need", help="需求描述 / free text")
        group.add_argument("--patent", help="申请号或公开号 / patent key")
        parser.add_argument("--industry", default="", help="GB/T 4754 code of the need")
        parser.add_argument("--ipc", action="append", default=[], help="IPC subclass hint (repeatable)")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--all", action="store_true", help="include patents not in the pool (admin view)")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **o: Any) -> None:
        enterprise_notice = ""
        try:
            if o["need"] is not None:
                query = selectors.make_query(
                    o["need"], selectors.query_labels(o["industry"], o["ipc"]), o["top"]
                )
                pool = InventoryRecord.objects.filter(state=InventoryState.POOLED)
                matches = selectors.match_patents(query, None if o["all"] else pool)
                hits = [
                    {
                        "patent": m.patent.key,
                        "title": m.patent.title,
                        "ipc": list(m.patent.ipc_codes or ([m.patent.ipc_main] if m.patent.ipc_main else [])),
                        **_hit_json(m.hit),
                    }
                    for m in matches
                ]
            else:
                if not 1 <= o["top"] <= 100:
                    raise ApplicationError("bad_top_k", "返回条数须在 1–100 之间", "top must be 1–100", "top")
                patent = patent_by_key(o["patent"])
                found = selectors.enterprises_matching(patent, o["top"])
                enterprise_notice = found.notice
                hits = [
                    {
                        "enterprise": m.organization.credit_code or str(m.organization.pk),
                        "title": m.organization.name,
                        "industry": [m.industry_name] if m.industry_name else [],
                        **_hit_json(m.hit),
                    }
                    for m in found.matches
                ]
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        notice = selectors.index_notice() if o["need"] is not None else enterprise_notice
        if o["json"]:
            out: dict[str, Any] = {"hits": hits}
            if notice:
                out["notice"] = notice
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            return
        if notice:
            self.stdout.write(notice)
        for i, h in enumerate(hits, 1):
            name = h.get("patent") or h.get("enterprise")
            self.stdout.write(f"{i:>2}. {h['score']:.3f} {name} {h['title']}")
            for reason in h["reasons"]:
                self.stdout.write(f"      {reason}")
