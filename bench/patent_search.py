"""Patent-list keyword search latency (专利清单 q=…) on SQLite, against an in-memory scan baseline.

Builds a throw-away SQLite database with N synthetic patents resampled from the real titles and abstracts in
`reference/patents/`, one institution's inventory records over them (half pooled), then times what the list
page does for a keyword (count + first page of 25, through `selectors.inventory_search`) for an institution
admin and for an enterprise user (pool). Baselines in the same run: the same page with the index switched off
(`icontains`, a scan) and a plain Python substring scan over the same titles + abstracts held in memory.

    .venv/bin/python bench/patent_search.py --n 100000

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["电池", "神经网络", "固态电解质", "一种基于深度学习的图像"]


def load_texts() -> list[tuple[str, str]]:
    """(title, abstract) pairs from the real patent files shipped in reference/."""
    csv.field_size_limit(10_000_000)
    pairs: list[tuple[str, str]] = []
    for name in (
        "cn_patents_g06_cpc_abstracts_liaoleyuan.csv",
        "cn_patents_cnki_material_chemistry_2018_19_sample.csv",
    ):
        with open(ROOT / "reference" / "patents" / name, encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("title") and row.get("abstract"):
                    pairs.append((row["title"][:500], row["abstract"][:2000]))
    titles = ROOT / "reference" / "patents" / "cn_patent_titles_ipc_lxingy3.csv"
    with open(titles, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            pairs.append((row["title"][:500], ""))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="panhuo-bench-search-")
    os.environ["PANHUO_DATA_DIR"] = tmp
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from panhuo.accounts.models import OrganizationType, Role
    from panhuo.accounts.services import organization_create, user_create
    from panhuo.patents import selectors
    from panhuo.patents.models import InventoryRecord, InventoryState, Patent

    uni = organization_create(code="BENCH-UNI", name="基准大学", type=OrganizationType.UNIVERSITY)
    ent = organization_create(
        code="BENCH-ENT", name="基准企业", type=OrganizationType.ENTERPRISE, credit_code="91350100M000100Y43"
    )
    admin, _ = user_create(
        role=Role.INSTITUTION_ADMIN, organization=uni, username="bench_admin", password="Kx9#mQ2!vLp7"
    )
    buyer, _ = user_create(
        role=Role.ENTERPRISE_USER, organization=ent, username="bench_ent", password="Kx9#mQ2!vLp7"
    )

    texts = load_texts()
    rng = random.Random(7)
    sample = [texts[rng.randrange(len(texts))] for _ in range(args.n)]
    started = time.perf_counter()
    batch = 5000
    for start in range(0, args.n, batch):
        patents = [
            Patent(
                pub_no=f"CN9{i:09d}",
                pub_kind="A",
                patent_type="invention",
                title=title,
                abstract=abstract,
                is_synthetic=True,
            )
            for i, (title, abstract) in enumerate(sample[start : start + batch], start=start)
        ]
        Patent.objects.bulk_create(patents, batch_size=1000)
    ids = list(Patent.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        InventoryRecord.objects.bulk_create(
            [
                InventoryRecord(
                    organization=uni,
                    patent_id=pid,
                    state=InventoryState.POOLED if pid % 2 else InventoryState.UNFILED,
                )
                for pid in ids[start : start + batch]
            ],
            batch_size=1000,
        )
    load_s = time.perf_counter() - started
    from panhuo.patents import search

    t0 = time.perf_counter()
    indexed, caught_up = search.sync()  # what the background task does after an import
    search.analyse()  # and so does it: planner statistics
    index_s = time.perf_counter() - t0

    def timed(fn) -> tuple[float, object]:
        runs = []
        result = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - t0)
        return round(statistics.median(runs) * 1000, 1), result

    results = {}
    for q in QUERIES:
        filters = selectors.filters_from({"q": q})

        def page(user=admin, filters=filters):
            qs = selectors.inventory_search(user, filters)
            return qs.count(), [r.pk for r in qs[:25]]

        def pool_page(filters=filters):
            return page(buyer, filters)

        def scan(q=q):
            return sum(1 for title, abstract in sample if q in title or q in abstract)

        admin_ms, (admin_count, _) = timed(page)
        pool_ms, (pool_count, _) = timed(pool_page)
        scan_ms, scan_count = timed(scan)
        real_available = search.available
        search.available = lambda: False  # type: ignore[assignment]  # force the icontains fallback
        try:
            like_ms, (like_count, _) = timed(page)
        finally:
            search.available = real_available  # type: ignore[assignment]
        results[q] = {
            "uses_index": search.match_expression(q) is not None,
            "admin_list_ms": admin_ms,
            "pool_list_ms": pool_ms,
            "baseline_icontains_admin_list_ms": like_ms,
            "baseline_python_scan_ms": scan_ms,
            "matches_icontains": like_count,
            "matches_admin": admin_count,
            "matches_pool": pool_count,
            "matches_scan": scan_count,
        }
    print(
        json.dumps(
            {
                "bench": "patent_search",
                "n": args.n,
                "database": "sqlite",
                "load_s": round(load_s, 1),
                "index_build_s": round(index_s, 2),
                "indexed": indexed,
                "page_size": 25,
                "queries": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
