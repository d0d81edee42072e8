"""Enterprise-list import (kind "enterprises"): rows/s for a first import and an unchanged re-import, against the
floor of parsing + validating the same rows without writing (same run).

    .venv/bin/python bench/enterprise_import_bench.py --n 20000

Runs on a FRESH temporary SQLite database (PANHUO_DATA_DIR in a temp folder). The file is synthetic: generated
names labelled （合成）, Chongqing district codes, credit codes with valid check characters, ~5% rows made invalid.
Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["企业名称", "统一社会信用代码", "所属地区/行政区划代码", "行业代码", "经营范围", "企业规模", "资质", "联系人", "联系电话"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ent-import-"))
    os.environ["PANHUO_DATA_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from engine.identifiers.credit_code import ALPHABET, credit_check_character
    from panhuo.accounts.models import OrganizationType
    from panhuo.accounts.services import organization_create
    from panhuo.common.errors import ApplicationError
    from panhuo.demand.services.profiles import enterprise_row_validate
    from panhuo.imports.services import import_job_create, import_job_run

    office = organization_create(
        code="BENCH-OFFICE", name="基准局（合成）", type=OrganizationType.IP_OFFICE, region_code="500000"
    )
    rng = random.Random(7)
    regions = ["500101", "500103", "500106", "500107", "500108", "500112", "500113"]
    industries = ["3831", "6513", "3491", "3841", "2651", "1491", "4090"]
    path = tmp / "enterprises.csv"
    bad = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(args.n):
            n = i
            digits = ""
            for _ in range(7):
                n, r = divmod(n, 31)
                digits = ALPHABET[r] + digits
            region = regions[i % len(regions)]
            first = f"91{region}MB{digits}"
            code = first + credit_check_character(first)
            if rng.random() < 0.05:
                code = code[:-1] + ("0" if code[-1] != "0" else "1")
                bad += 1
            w.writerow(
                [f"合成企业{i}有限公司（合成）", code, region, rng.choice(industries), "技术开发；技术服务",
                 rng.choice("大中小微"), rng.choice(["", "专精特新", "高新技术企业；科技型中小企业"]), "联系人",
                 f"138{i:08d}"]
            )  # fmt: skip
    keys = ["name", "credit_code", "region_code", "industry_code", "business_scope", "size", "qualifications",
            "contact_name", "contact_phone"]  # fmt: skip
    t0 = time.perf_counter()
    floor_ok = 0
    with path.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for rec in reader:
            try:
                enterprise_row_validate(dict(zip(keys, rec, strict=True)))
                floor_ok += 1
            except ApplicationError:
                pass
    floor_s = time.perf_counter() - t0

    def timed() -> tuple[float, object]:
        started = time.perf_counter()
        job = import_job_run(import_job_create(organization=office, kind="enterprises", path=path))
        return time.perf_counter() - started, job

    first_s, first = timed()
    again_s, again = timed()
    print(
        json.dumps(
            {
                "bench": "enterprise_import",
                "n": args.n,
                "invalid_rows_generated": bad,
                "first": {"seconds": round(first_s, 2), "rows_per_s": round(args.n / first_s, 1),
                          "inserted": first.inserted, "rejected": first.rejected},  # type: ignore[attr-defined]
                "reimport": {"seconds": round(again_s, 2), "rows_per_s": round(args.n / again_s, 1),
                             "inserted": again.inserted, "unchanged": again.unchanged},  # type: ignore[attr-defined]
                "baseline_parse_validate_only": {"seconds": round(floor_s, 2), "rows_per_s": round(args.n / floor_s, 1),
                                                 "valid": floor_ok},
                "database": "sqlite (fresh temp file)",
            },
            ensure_ascii=False,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
