"""Synthetic patent tables for scale tests: real records from reference/patents/ resampled with valid 申请号.

Every row is labelled `来源 = synthetic`. The 申请号 are made up (year + type digit + a serial that never repeats
within one file) but carry correct check digits, so they pass validation like real numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.identifiers.application_number import check_character

HEADER = (
    "申请号",
    "名称",
    "摘要",
    "申请人",
    "发明人",
    "申请日",
    "公开日",
    "授权公告日",
    "IPC分类号",
    "法律状态",
    "专利类型",
    "来源",
)
_TYPE_DIGIT = {"A": "1", "B": "1", "U": "2"}
_TYPE_ZH = {"1": "发明", "2": "实用新型"}
_SERIAL_STEP = 7919  # coprime with 10**7: serials are distinct for the first 10 million rows
SERIAL_SPACE = 10**7


@dataclass(frozen=True)
class Seed:
    title: str
    abstract: str
    ipc: str  # "|"-separated subclasses or codes
    kind: str  # A | B | U


def load_seeds(reference: Path) -> tuple[list[Seed], list[str], list[str]]:
    """(records, applicants, inventor names) from the real datasets."""
    pat = reference / "patents"
    seeds: list[Seed] = []
    with (pat / "cn_patent_titles_ipc_lxingy3.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            seeds.append(Seed(r["title"], "", r["ipc_subclasses"], r["kind"] or "A"))
    with (pat / "cn_patents_g06_cpc_abstracts_liaoleyuan.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            codes = "|".join(sorted({c.split("/")[0][:4] for c in r["cpc_labels"].split("|") if c}))
            seeds.append(Seed(r["title"], r["abstract"][:160], codes or "G06F", "A"))
    with (pat / "cn_patent_abstracts_keyphrases_kppatent_zh.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["title"]:
                seeds.append(Seed(r["title"], r["abstract"][:160], "", "A"))
    applicants: list[str] = []
    inventors: list[str] = []
    with (pat / "cn_patents_cnki_material_chemistry_2018_19_sample.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        for r in csv.DictReader(fh):
            seeds.append(Seed(r["title"], r["abstract"][:160], "", "A"))
            applicants.extend(a for a in r["applicant"].split(";") if a)
            inventors.extend(n for n in r["inventors"].split(";") if n)
    return seeds, sorted(set(applicants)), sorted(set(inventors))


def app_number(year: int, type_digit: str, serial: int) -> str:
    body = f"{year:04d}{type_digit}{serial:07d}"
    return f"{body}.{check_character(body)}"


def synth_rows(n: int, *, seed: int, reference: Path, bad_rate: float = 0.0) -> Iterator[list[str]]:
    """n rows (without header). With bad_rate > 0, that share of rows carries one known defect."""
    if n > SERIAL_SPACE:
        raise ValueError(f"at most {SERIAL_SPACE} rows")
    rng = random.Random(seed)
    seeds, applicants, inventors = load_seeds(reference)
    offset = rng.randrange(SERIAL_SPACE)
    epoch = dt.date(2008, 1, 1).toordinal()
    for i in range(n):
        s = seeds[rng.randrange(len(seeds))]
        digit = _TYPE_DIGIT.get(s.kind, "1")
        app_day = dt.date.fromordinal(epoch + rng.randrange(5800))
        number = app_number(app_day.year, digit, (offset + i * _SERIAL_STEP) % SERIAL_SPACE)
        pub_day = app_day + dt.timedelta(days=540 if digit == "1" else 180)
        granted = s.kind in ("B", "U")
        grant_day = (app_day + dt.timedelta(days=700 if digit == "1" else 200)) if granted else None
        status = (
            rng.choice(("有效", "有效", "未缴年费终止", "期限届满"))
            if granted
            else rng.choice(("审中", "审中", "驳回"))
        )
        people = ";".join(rng.sample(inventors, k=min(len(inventors), 1 + rng.randrange(3))))
        row = [
            number,
            s.title,
            s.abstract,
            applicants[rng.randrange(len(applicants))],
            people,
            app_day.isoformat(),
            pub_day.isoformat(),
            grant_day.isoformat() if grant_day else "",
            s.ipc.replace("|", ";"),
            status,
            _TYPE_ZH[digit],
            "synthetic",
        ]
        if bad_rate and rng.random() < bad_rate:
            defect = rng.randrange(4)
            if defect == 0:  # wrong check digit
                wrong = "0" if number[-1] != "0" else "1"
                row[0] = number[:-1] + wrong
            elif defect == 1:
                row[5] = "2019-13-45"
            elif defect == 2:
                row[10] = "植物新品种"
            else:
                row[8] = "G06F 16/0Z"
        yield row


def write_csv(path: Path, n: int, *, seed: int, reference: Path, bad_rate: float = 0.0) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(synth_rows(n, seed=seed, reference=reference, bad_rate=bad_rate))
    return n
