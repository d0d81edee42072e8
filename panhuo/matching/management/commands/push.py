"""`panhuo push [--queue]`: the weekly match digest now, with progress (or handed to the worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from panhuo.common.errors import ApplicationError
from panhuo.matching.services import push_run_create, push_run_execute, push_run_start


class Command(BaseCommand):
    help = "Push new matching patents to subscribed enterprises (the weekly digest). 匹配推送。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue", action="store_true", help="hand the run to the Huey worker and return")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            run = push_run_start() if o["queue"] else push_run_create()
        except ApplicationError as exc:  # another run is queued or running
            raise CommandError(f"{exc.message_zh} / {exc.message_en}") from exc
        if o["queue"]:
            self.stdout.write(f"已排队 queued push run #{run.pk} (progress: /matching/pushes/)")
            return
        run = push_run_execute(run.pk, echo=lambda line: self.stdout.write(line))
        self.stdout.write(
            f"完成 done: push run #{run.pk}: {run.pushed} matches to {run.done}/{run.total} enterprises"
        )
