from __future__ import annotations

from importlib import import_module, util
from typing import Any

from django.core.management.base import BaseCommand

# Each app that has demo data exposes `<app>/demo.py` with `load(out) -> None`, in dependency order.
DEMO_APPS = (
    "classification",
    "accounts",
    "patents",
    "evaluation",
    "demand",
    "matching",
    "deals",
    "monitoring",
)


class Command(BaseCommand):
    help = (
        "Load reference data and the labelled demo dataset, create one demo account per role. 加载演示数据。"
    )

    def handle(self, *args: Any, **o: Any) -> None:
        for app in DEMO_APPS:
            name = f"panhuo.{app}.demo"
            if util.find_spec(name) is None:
                continue
            self.stdout.write(f"== {app}")
            import_module(name).load(self.stdout)
        self.stdout.write("演示数据已加载 demo data loaded")
