"""Score N synthetic patents in the engine: patents/s and peak memory, vs a per-patent Python baseline.

Usage: .venv/bin/python bench/score_bench.py --n 1000000   (prints one JSON object)
Targets (issue 4): >= 100,000 patents/s, <= 1 GB peak RSS for 1,000,000 patents.
Synthetic columns (labelled synthetic) with realistic shapes: ~130 IPC classes x 20 grant years.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.scoring import INDICATORS, explain, weight_vector  # noqa: E402
from engine.scoring.features import PatentColumns, build_raw  # noqa: E402
from engine.scoring.flags import DEFAULT_TIER_RULES, assign_tiers, high_value_matrix, sleeping_mask  # noqa: E402
from engine.scoring.indicators import DEFAULT_WEIGHTS  # noqa: E402
from engine.scoring.model import normalise, score_normalised  # noqa: E402


def synthetic(n: int, seed: int = 7) -> tuple[PatentColumns, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    today = date(2026, 1, 1).toordinal()
    app = today - rng.integers(200, 20 * 365, n).astype(np.float64)
    grant_year = ((app + 3 * 365) // 365.25).astype(np.int64)
    ipc_class = rng.integers(0, 130, n)
    missing = rng.random(n) < 0.4

    def maybe(v: np.ndarray, share: float) -> np.ndarray:
        return np.where(rng.random(n) < share, np.nan, v.astype(np.float64))

    cols = PatentColumns(
        patent_type=rng.choice(np.array([0, 1, 2], dtype=np.int8), n, p=[0.7, 0.25, 0.05]),
        legal_status=rng.choice(np.array([0, 1, 2], dtype=np.int8), n, p=[0.7, 0.1, 0.2]),
        application_ord=app,
        claims=maybe(rng.integers(1, 30, n), 0.2),
        independent_claims=maybe(rng.integers(1, 4, n), 0.2),
        owners=rng.integers(1, 4, n).astype(np.float64),
        dispute=(rng.random(n) < 0.01).astype(np.float64),
        ipc_subclasses=rng.integers(1, 6, n).astype(np.float64),
        trl=maybe(rng.integers(1, 10, n), 0.6),
        citations_forward=maybe(rng.poisson(2, n), 0.5),
        citations_backward=maybe(rng.poisson(5, n), 0.5),
        family_size=maybe(rng.integers(1, 8, n), 0.5),
        self_grade=np.where(missing, np.nan, rng.integers(0, 4, n) / 3.0),
        sei=maybe(rng.integers(0, 2, n), 0.1),
        ip_intensive=maybe(rng.integers(0, 2, n), 0.1),
        deals=rng.poisson(0.1, n).astype(np.float64),
        demand=rng.poisson(0.5, n).astype(np.float64),
        evaluations=rng.poisson(0.3, n).astype(np.float64),
        positive_evaluations=np.zeros(n),
        implemented=(rng.random(n) < 0.05).astype(np.float64),
        institution_rate=maybe(rng.random(n) * 0.1, 0.1),
        cohort_fine=ipc_class * 100 + grant_year % 100,
        cohort_coarse=(ipc_class // 20) * 100 + grant_year % 100,
    )
    extra = {
        "overseas": rng.random(n) < 0.02,
        "pledge": rng.integers(0, 2, n) * rng.integers(0, 300_000_000, n),
        "award": rng.random(n) < 0.001,
        "granted": rng.random(n) < 0.9,
        "days_to_fee": rng.integers(0, 365, n).astype(np.float64),
    }
    return cols, extra


def engine_run(cols: PatentColumns, extra: dict[str, np.ndarray], today: int) -> np.ndarray:
    raw, _ = build_raw(cols, today_ord=today, with_display=False)
    norm = normalise(raw, inplace=True)
    arrays = score_normalised(norm, weight_vector(DEFAULT_WEIGHTS["licensing"]))
    valid = cols.legal_status == 0
    hv = high_value_matrix(
        is_invention=cols.patent_type == 0,
        is_valid=valid,
        sei=cols.sei,
        overseas_granted=extra["overseas"],
        application_ord=cols.application_ord,
        max_pledge_fen=extra["pledge"],
        award=extra["award"],
        today_ord=today,
        pledge_threshold_fen=100_000_000,
    )
    sleeping_mask(is_valid=valid, is_granted=extra["granted"], deals=cols.deals, implemented=cols.implemented)
    assign_tiers(
        DEFAULT_TIER_RULES,
        score=arrays.score,
        high_value_or_positive=hv.any(axis=1),
        demand=cols.demand,
        days_to_fee=extra["days_to_fee"],
    )
    return arrays.score


def baseline_python(cols: PatentColumns, today: int, m: int) -> float:
    """Per-patent Python: the naive way (explain() per patent over globally pre-normalised rows)."""
    raw, _ = build_raw(cols, today_ord=today, with_display=False)
    weights = DEFAULT_WEIGHTS["licensing"]
    rows = raw.values[:m].tolist()
    t = time.perf_counter()
    for r in rows:
        explain([min(max(v, 0.0), 1.0) if v == v else None for v in r], r, weights, model_version="baseline")
    return m / (time.perf_counter() - t)


def db_rescore(n: int) -> dict[str, object]:
    """Recompute one institution's n patents through the Django service (what the web job runs),
    on a throw-away SQLite database: seconds for one scenario (a weight change) and for all three."""
    import os
    import tempfile

    tmp = tempfile.mkdtemp(prefix="score-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["PANHUO_HUEY_FILE"] = f"{tmp}/huey.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from engine.identifiers.application_number import check_character
    from panhuo.accounts.models import Organization
    from panhuo.evaluation.scoring import scores_recompute
    from panhuo.patents.models import InventoryRecord, Patent, PatentActivity

    org = Organization.objects.create(code="BENCH-UNI", name="基准大学（合成）", type="university")
    rng = np.random.default_rng(3)
    classes = ["G06", "H01", "A61", "C07", "B01", "F16", "H04", "G01"]
    patents = []
    for i in range(n):
        body = f"2015{1}{i:07d}"
        year = 2008 + int(rng.integers(0, 16))
        ipc = classes[i % len(classes)] + "F1/00"
        patents.append(
            Patent(
                app_no=f"{body}.{check_character(body)}",
                patent_type="invention",
                title=f"合成专利 {i}",
                legal_status="valid" if rng.random() < 0.8 else "lapsed",
                application_date=date(year, 1 + i % 12, 1 + i % 28),
                grant_date=date(year + 3, 1 + i % 12, 1 + i % 28),
                ipc_main=ipc,
                ipc_codes=[ipc],
                ipc_section=ipc[0],
                ipc_class=ipc[:3],
                ipc_subclass=ipc[:4],
                claims_count=int(rng.integers(1, 20)),
                independent_claims_count=1,
                patentees=["基准大学（合成）"],
                is_synthetic=True,
            )
        )
    Patent.objects.bulk_create(patents, batch_size=2000)
    ids = list(Patent.objects.values_list("id", flat=True))
    InventoryRecord.objects.bulk_create(
        [
            InventoryRecord(organization=org, patent_id=pid, state="pooled", trl=int(rng.integers(1, 10)))
            for pid in ids
        ],
        batch_size=2000,
    )
    PatentActivity.objects.bulk_create([PatentActivity(patent_id=pid) for pid in ids], batch_size=2000)
    if os.environ.get("SCORE_BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx(
            "scores_recompute(organization_id=org.pk, scenarios=['licensing'])",
            globals(),
            locals(),
            "/tmp/score.prof",
        )
        pstats.Stats("/tmp/score.prof").sort_stats("cumulative").print_stats(25)
    t, c = time.perf_counter(), time.process_time()
    rows_all = scores_recompute(organization_id=org.pk)
    all_s, all_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    rows_one = scores_recompute(organization_id=org.pk, scenarios=["licensing"])
    one_s, one_cpu = time.perf_counter() - t, time.process_time() - c
    return {
        "db": "sqlite (temporary file)",
        "patents": n,
        "rescore_one_scenario_s": round(one_s, 2),
        "rescore_one_scenario_cpu_s": round(one_cpu, 2),
        "rescore_one_scenario_rows": rows_one,
        "rescore_all_scenarios_s": round(all_s, 2),
        "rescore_all_scenarios_cpu_s": round(all_cpu, 2),
        "rescore_all_scenarios_rows": rows_all,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--baseline-n", type=int, default=20_000)
    parser.add_argument("--db-n", type=int, default=0, help="also time the Django rescore of one institution")
    args = parser.parse_args()
    today = date(2026, 1, 1).toordinal()
    cols, extra = synthetic(args.n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    cpu = time.process_time()
    score = engine_run(cols, extra, today)
    seconds = time.perf_counter() - t
    cpu_seconds = time.process_time() - cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base_rate = baseline_python(cols, today, min(args.baseline_n, args.n))
    mean_score = float(score.mean())
    del cols, extra, score
    db = db_rescore(args.db_n) if args.db_n else None
    print(
        json.dumps(
            {
                "db_rescore": db,
                "bench": "score_bench",
                "n": args.n,
                "indicators": len(INDICATORS),
                "seconds": round(seconds, 3),
                "patents_per_s": round(args.n / seconds),
                "cpu_seconds": round(cpu_seconds, 3),
                "patents_per_cpu_s": round(args.n / cpu_seconds),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "rss_before_scoring_mb": round(rss_before / 1024, 1),
                "target_patents_per_s": 100_000,
                "target_peak_mb": 1024,
                "meets_targets": bool(args.n / seconds >= 100_000 and peak_kb / 1024 <= 1024),
                "baseline": "per-patent Python explain() loop",
                "baseline_patents_per_s": round(base_rate),
                "speedup_vs_baseline": round((args.n / seconds) / base_rate, 1),
                "mean_score": round(mean_score, 3),
                "data": "synthetic (labelled), 130 IPC classes x ~20 grant years",
            }
        )
    )


if __name__ == "__main__":
    main()
