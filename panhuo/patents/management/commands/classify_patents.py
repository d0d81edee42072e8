from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from panhuo.patents.industries import patent_industries_compute


class Command(BaseCommand):
    help = (
        "Compute every patent's GB/T 4754 industries, SEI category and tags (with progress). 专利行业分类。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unclassified", action="store_true", help="only patents without industries yet")

    def handle(self, *args: Any, **o: Any) -> None:
        n = patent_industries_compute(only_unclassified=o["unclassified"], out=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"已分类 classified {n} patents"))
