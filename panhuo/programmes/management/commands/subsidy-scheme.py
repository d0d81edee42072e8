"""`panhuo subsidy-scheme list|presets|show|load-preset`: subsidy schemes from the terminal (as an office user)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from engine.programmes import presets
from panhuo.accounts.models import Role, User
from panhuo.common.errors import ApplicationError
from panhuo.programmes import selectors, services


class Command(BaseCommand):
    help = (
        "Subsidy schemes as data. panhuo subsidy-scheme presets | list --user U | show CODE --user U [--number N] | "
        "load-preset PRESET --user U [--code CODE] [--regions 500106,500107]"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=("presets", "list", "show", "load-preset"))
        parser.add_argument(
            "name", nargs="?", default="", help="scheme code (show) or preset code (load-preset)"
        )
        parser.add_argument("--user", default="", help="username of the IP office official acting")
        parser.add_argument("--code", default="", help="code of the new scheme (default: the preset's)")
        parser.add_argument(
            "--regions", default="", help="region codes, comma separated (default: the office's)"
        )
        parser.add_argument("--number", type=int, default=0, help="version number (show)")

    def _actor(self, username: str) -> User:
        user = User.objects.filter(username=username, role=Role.OFFICE_OFFICIAL, is_active=True).first()
        if user is None:
            raise CommandError("--user must name an active IP office official (知识产权局用户)")
        return user

    def handle(self, *args: Any, **o: Any) -> None:
        if o["action"] == "presets":
            for code, d in presets.PRESETS.items():
                self.stdout.write(f"{code:26} {d['name']}")
            return
        actor = self._actor(o["user"])
        try:
            if o["action"] == "list":
                for s in selectors.schemes_visible(actor):
                    self.stdout.write(f"{s.code:26} v{s.current_version} {selectors.current_version(s).name}")
            elif o["action"] == "show":
                scheme = selectors.scheme_get(actor=actor, code=o["name"])
                number = o["number"] or scheme.current_version
                version = scheme.versions.filter(number=number).first()
                if version is None:
                    raise CommandError(f"{scheme.code} has no version {number}")
                out = {
                    "code": scheme.code,
                    "version": version.number,
                    "regions": version.regions,
                    **version.definition,
                }
                self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
            else:
                regions = [r for r in o["regions"].split(",") if r.strip()]
                scheme = services.scheme_load_preset(
                    actor=actor, preset=o["name"], code=o["code"], regions=regions or None
                )
                self.stdout.write(f"已载入 loaded {scheme.code} (v1) from preset {o['name']}")
        except ApplicationError as exc:
            items = exc.extra.get("errors") or [{"zh": exc.message_zh, "en": exc.message_en}]
            raise CommandError("; ".join(f"{e['zh']} / {e['en']}" for e in items))  # type: ignore[attr-defined]
