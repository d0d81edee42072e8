"""`panhuo synth --n N --out FILE.csv [--seed S]`: a larger, labelled-synthetic patent CSV from the real seeds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from panhuo.patents.importing.synth import SERIAL_SPACE, write_csv


class Command(BaseCommand):
    help = (
        "Resample the real patents in reference/patents/ into a synthetic CSV (valid 申请号). 生成合成数据。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--n", type=int, required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--bad-rate", type=float, default=0.0, help="share of rows with one defect (tests)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        if not 1 <= o["n"] <= SERIAL_SPACE:
            raise CommandError(f"--n 应在 1..{SERIAL_SPACE} 之间 / --n must be 1..{SERIAL_SPACE}")
        if not 0.0 <= o["bad_rate"] <= 1.0:
            raise CommandError("--bad-rate 应在 0..1 之间 / --bad-rate must be 0..1")
        out = Path(o["out"])
        n = write_csv(
            out,
            o["n"],
            seed=o["seed"],
            reference=Path(settings.BASE_DIR) / "reference",
            bad_rate=o["bad_rate"],
        )
        if o["json"]:
            self.stdout.write(json.dumps({"rows": n, "out": str(out), "bytes": out.stat().st_size}))
        else:
            self.stdout.write(f"已生成 {n} 行合成数据 wrote {n} synthetic rows to {out}")
