"""Monitoring at national scale: dashboard + KPI page p95 from the pre-aggregates vs the naive queries, and the
anomaly job time, on a SEPARATE database (a temp SQLite file, or the PostgreSQL database `bench_monitoring`).

Usage: .venv/bin/python bench/monitoring_bench.py [--scale 1.0] [--backend sqlite|postgres|both] [--repeat 30]
Scale 1.0 = 1,350,000 patents (and inventory records), 2,700 institutions, 450,000 enterprises, 600,000 deals
(and 150,000 published needs with 300,000 institution answers, for the response-time figure).
Each phase reports wall seconds, this process's CPU seconds, the PostgreSQL backend's CPU seconds (read from
/proc, same machine) and the load average. The SQLite file is deleted at the end; PostgreSQL keeps
`bench_monitoring` (dropped and recreated at the next run) for EXPLAIN ANALYZE.
Everything generated is synthetic (Patent.is_synthetic, titles from reference/patents real seeds + "（合成）").
Prints ONE JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_monitoring"
PROVINCES = [
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
]
GBT_CLASSES = [
    "3914",
    "3911",
    "3921",
    "3831",
    "2710",
    "2614",
    "3411",
    "3563",
    "4011",
    "6511",
    "6513",
    "3741",
    "3011",
    "2211",
    "1311",
    "0111",
    "3562",
    "3869",
    "3442",
    "2929",
    "3399",
    "3612",
    "3311",
    "4090",
]
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return round(xs[max(0, int(round(0.95 * len(xs))) - 1)] * 1000, 1)


class Clock:
    """Wall seconds, this process's CPU seconds and (PostgreSQL) the server backend's CPU seconds of a phase."""

    def __init__(self) -> None:
        self.backend_pid: int | None = None

    def attach(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as c:
                c.execute("SELECT pg_backend_pid()")
                self.backend_pid = c.fetchone()[0]

    def _server_cpu(self) -> float | None:
        if self.backend_pid is None:
            return None
        try:
            fields = Path(f"/proc/{self.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def start(self) -> tuple[float, float, float | None]:
        self.attach()
        return time.perf_counter(), time.process_time(), self._server_cpu()

    def stop(self, t: tuple[float, float, float | None]) -> dict:
        wall, cpu, server = t
        out = {
            "wall_s": round(time.perf_counter() - wall, 2),
            "cpu_s": round(time.process_time() - cpu, 2),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }
        now = self._server_cpu()
        if server is not None and now is not None:
            out["db_server_cpu_s"] = round(now - server, 2)
        return out


CLOCK = Clock()


def region(rng: random.Random) -> str:
    return f"{rng.choice(PROVINCES):02d}{rng.randint(1, 9):02d}{rng.randint(1, 12):02d}"


# ---------------------------------------------------------------------------------------------- generation


class Inserter:
    """Raw bulk inserts (executemany on SQLite, COPY on PostgreSQL) with model defaults for absent columns."""

    def __init__(self, connection):
        self.conn = connection
        self.pg = connection.vendor == "postgresql"

    def insert(self, model, rows, chunk: int = 50_000) -> int:
        from django.db import models as djm

        fields = model._meta.concrete_fields
        cols = [f.column for f in fields]
        defaults = []
        kinds = []
        for f in fields:
            if isinstance(f, djm.JSONField):
                kinds.append("json")
            elif isinstance(f, djm.DateTimeField):
                kinds.append("dt")
            elif isinstance(f, djm.DateField):
                kinds.append("d")
            else:
                kinds.append("")
            if f.has_default():
                defaults.append(f.get_default())
            elif isinstance(f, djm.DateTimeField) and (f.auto_now or f.auto_now_add):
                defaults.append(NOW)
            elif f.null:
                defaults.append(None)
            else:
                defaults.append("")
        names = [f.attname for f in fields]
        table = model._meta.db_table
        n = 0

        def conv(v, kind):
            if v is None:
                return None
            if kind == "json":
                return json.dumps(v, ensure_ascii=False)
            if kind in ("dt", "d") and not isinstance(v, date):
                return v
            if not self.pg and kind == "dt":
                return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            if not self.pg and kind == "d":
                return v.isoformat()
            return v

        batch = []
        with self.conn.cursor() as cur:

            def flush():
                if not batch:
                    return
                if self.pg:
                    with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
                        for row in batch:
                            cp.write_row(row)
                else:
                    q = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                    cur.cursor.executemany(q, batch)
                batch.clear()

            spec = list(
                zip(names, [conv(d, k) for d, k in zip(defaults, kinds, strict=True)], kinds, strict=True)
            )
            for r in rows:
                batch.append(tuple(conv(r[name], k) if name in r else d for name, d, k in spec))
                n += 1
                if len(batch) >= chunk:
                    flush()
            flush()
        return n


def pg_bulk_load_begin(connection, tables: list[str]) -> list[str]:
    """PostgreSQL bulk load, inside the generation transaction: drop the secondary indexes of the tables about to
    be filled (those that back no constraint; primary keys and unique constraints stay and are checked) and turn
    off the row-by-row foreign-key triggers for this transaction (the generator writes consistent ids; the bench's
    queries run on the finished, fully indexed tables). Returns the CREATE INDEX statements to replay."""
    with connection.cursor() as c:
        c.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            """,
            [tables],
        )
        rows = c.fetchall()
        for name, _ in rows:
            c.execute(f"DROP INDEX {name}")
        c.execute("SET LOCAL session_replication_role = replica")
        c.execute("SET LOCAL maintenance_work_mem = '512MB'")
    return [ddl for _, ddl in rows]


def pg_bulk_load_end(connection, ddls: list[str], tables: list[str]) -> int:
    """Recreate the dropped indexes, turn the triggers back on and check every single-column foreign key of the
    loaded tables in one anti-join each (what the skipped triggers would have checked). Returns the orphans."""
    with connection.cursor() as c:
        c.execute("SET LOCAL session_replication_role = origin")
        for ddl in ddls:
            c.execute(ddl)
        c.execute(
            """
            SELECT t.relname, a.attname, r.relname, ra.attname
            FROM pg_constraint k
            JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = k.confkey[1]
            WHERE k.contype = 'f' AND t.relname = ANY(%s) AND array_length(k.conkey, 1) = 1
            """,
            [tables],
        )
        orphans = 0
        for table, col, ref, ref_col in c.fetchall():
            c.execute(
                f"SELECT count(*) FROM {table} x LEFT JOIN {ref} y ON y.{ref_col} = x.{col} "  # noqa: S608 - catalog names
                f"WHERE x.{col} IS NOT NULL AND y.{ref_col} IS NULL"
            )
            orphans += c.fetchone()[0]
    return orphans


def titles() -> list[str]:
    out = []
    with (ROOT / "reference/patents/cn_patent_titles_ipc_lxingy3.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.append(row["title"])
            if len(out) >= 5000:
                break
    return out


def generate(scale: float, seed: int = 7) -> dict:
    from django.db import connection, transaction

    from panhuo.accounts.models import College, Organization
    from panhuo.deals.models import Deal, DealParty, DealPatent, Filing
    from panhuo.demand.models import EnterpriseProfile, Need, NeedAnswer
    from panhuo.patents.models import InventoryRecord, Patent, PatentIndustry

    rng = random.Random(seed)
    n_inst = max(30, int(2_700 * scale))
    n_ent = max(100, int(450_000 * scale))
    n_pat = max(300, int(1_350_000 * scale))
    n_deal = max(200, int(600_000 * scale))
    n_need = max(50, int(150_000 * scale))  # each answered by two institutions
    ins = Inserter(connection)
    t0 = CLOCK.start()
    tt = titles()
    counts: dict = {}
    if not ins.pg:
        with connection.cursor() as c:
            c.execute("PRAGMA synchronous=OFF")
    loaded = [
        Organization,
        College,
        EnterpriseProfile,
        Patent,
        InventoryRecord,
        PatentIndustry,
        Deal,
        DealParty,
        DealPatent,
        Filing,
        Need,
        NeedAnswer,
    ]
    with transaction.atomic():
        deferred_indexes = (
            pg_bulk_load_begin(connection, [m._meta.db_table for m in loaded]) if ins.pg else []
        )
        inst_ids = list(range(1, n_inst + 1))
        ent_ids = list(range(n_inst + 1, n_inst + n_ent + 1))
        inst_region = {i: region(rng) for i in inst_ids}
        ent_region = {e: region(rng) for e in ent_ids}
        counts["organizations"] = ins.insert(
            Organization,
            (
                {
                    "id": i,
                    "code": f"SYN-INST-{i}",
                    "name": f"合成高校{i}（合成）",
                    "type": "university" if i % 4 else "institute",
                    "region_code": inst_region[i],
                }
                for i in inst_ids
            ),
        )
        counts["organizations"] += ins.insert(
            Organization,
            (
                {
                    "id": e,
                    "code": f"SYN-ENT-{e}",
                    "name": f"合成企业{e}（合成）",
                    "type": "enterprise",
                    "region_code": ent_region[e],
                    "address": f"合成路{e % 5000}号",
                    "legal_representative": f"代表{e % 7000}",
                }
                for e in ent_ids
            ),
        )
        office_id = n_inst + n_ent + 1
        ins.insert(
            Organization,
            [
                {
                    "id": office_id,
                    "code": "SYN-OFFICE-50",
                    "name": "合成省局",
                    "type": "ip_office",
                    "region_code": "500000",
                    "office_level": "province",
                }
            ],
        )
        counts["colleges"] = ins.insert(
            College,
            (
                {"id": i * 5 + k, "organization_id": i, "code": f"C{k}", "name": f"学院{k}"}
                for i in inst_ids
                for k in range(5)
            ),
        )
        sizes = ["small", "micro", "medium", "large", "small"]
        counts["enterprise_profiles"] = ins.insert(
            EnterpriseProfile,
            (
                {
                    "id": e,
                    "organization_id": e,
                    "size": sizes[e % 5],
                    "industry_code": GBT_CLASSES[e % len(GBT_CLASSES)],
                    "source": "import",
                }
                for e in ent_ids
            ),
        )
        ptypes = ["invention", "invention", "utility", "invention", "design"]
        counts["patents"] = ins.insert(
            Patent,
            (
                {
                    "id": p,
                    "app_no": f"9{p:011d}.{p % 10}",
                    "patent_type": ptypes[p % 5],
                    "title": tt[p % len(tt)] + "（合成）",
                    "legal_status": "valid" if p % 5 else "lapsed",
                    "inventors": [f"发明人{p % 9000}"],
                    "is_synthetic": True,
                    "source": "bench/monitoring_bench.py",
                }
                for p in range(1, n_pat + 1)
            ),
        )
        states = ["pooled"] * 14 + ["draft", "college_review", "institution_review"] + ["unfiled"] * 3
        impl = ["", "", "", "implemented", "industrialised", ""]
        counts["inventory"] = ins.insert(
            InventoryRecord,
            (
                {
                    "id": p,
                    "organization_id": inst_ids[p % n_inst],
                    "patent_id": p,
                    "college_id": inst_ids[p % n_inst] * 5 + p % 5,
                    "state": states[p % len(states)],
                    "implementation_status": impl[p % 6],
                    "converted": p % 23 == 0,
                }
                for p in range(1, n_pat + 1)
            ),
        )
        kinds = ["transfer"] * 9 + ["licence"] * 6 + ["open_licence", "equity", "pledge", "pledge", "pledge"]
        ent_role = {
            "transfer": ("assignor", "assignee"),
            "licence": ("licensor", "licensee"),
            "open_licence": ("licensor", "licensee"),
            "equity": ("investor", "company"),
            "pledge": ("pledgor", "pledgee"),
        }
        filing = {
            "transfer": "transfer_reg",
            "licence": "licence_filing",
            "open_licence": "licence_filing",
            "pledge": "pledge_reg",
        }
        contract_states = ["signed", "filed", "performing", "completed"]
        deals, parties, links, filings = [], [], [], []
        start = date(2024, 1, 1)
        pid = 0
        for d in range(1, n_deal + 1):
            kind = kinds[rng.randrange(len(kinds))]
            inst = inst_ids[rng.randrange(n_inst)]
            ent = ent_ids[rng.randrange(n_ent)]
            on = start + timedelta(days=rng.randrange(1035))
            amount = (
                rng.choice([0, 100, 5_000_00, 50_000_00, 200_000_00, 1_000_000_00])
                if rng.random() < 0.02
                else rng.randrange(1_000_00, 5_000_000_00)
            )
            state = contract_states[d % 4] if d % 10 else "intent"
            holder = ent if kind == "pledge" else inst
            patent = inst + n_inst * rng.randrange(max(1, n_pat // n_inst - 1))
            retransfer_back = kind == "transfer" and d % 500 == 0 and d > 1
            deals.append(
                {
                    "id": d,
                    "code": f"SYN-D{d}",
                    "kind": kind,
                    "title": f"合成交易{d}",
                    "institution_id": holder,
                    "state": state,
                    "contract_date": on,
                    "contract_amount_fen": amount,
                    "received_fen": 0 if d % 9 == 0 else amount,
                    "source": "import",
                }
            )
            r_hold, r_other = ent_role[kind]
            pid += 1
            parties.append({"id": pid, "deal_id": d, "organization_id": holder, "role": r_hold})
            if kind == "pledge":
                pid += 1
                parties.append({"id": pid, "deal_id": d, "organization_id": office_id, "role": r_other})
            else:
                pid += 1
                parties.append({"id": pid, "deal_id": d, "organization_id": ent, "role": r_other})
            links.append({"id": d, "deal_id": d, "patent_id": patent})
            if d % 10 < 7:
                filings.append(
                    {
                        "id": d,
                        "deal_id": d,
                        "kind": filing.get(kind, "tech_contract"),
                        "filed_on": on + timedelta(days=20),
                    }
                )
            if retransfer_back:
                # the buyer sells the same patent straight back within 60 days (an A→B→A chain for the anomaly job)
                prev = deals[-1]
                prev_ent = ent
                deals.append(
                    {
                        "id": -d,
                        "code": f"SYN-R{d}",
                        "kind": "transfer",
                        "title": f"合成回转{d}",
                        "institution_id": prev_ent,
                        "state": "filed",
                        "contract_date": on + timedelta(days=45),
                        "contract_amount_fen": prev["contract_amount_fen"],
                        "received_fen": 0,
                        "source": "import",
                    }
                )
                pid += 1
                parties.append({"id": pid, "deal_id": -d, "organization_id": prev_ent, "role": "assignor"})
                pid += 1
                parties.append({"id": pid, "deal_id": -d, "organization_id": inst, "role": "assignee"})
                links.append({"id": -d, "deal_id": -d, "patent_id": patent})
        # renumber the extra deals after the regular ones
        extra = {x["id"]: n_deal + i + 1 for i, x in enumerate(y for y in deals if y["id"] < 0)}
        for coll in (deals, links):
            for x in coll:
                if x["id"] < 0:
                    x["id"] = extra[x["id"]]
        for x in parties + links:
            if x["deal_id"] < 0:
                x["deal_id"] = extra[x["deal_id"]]
        industry_of = {p: GBT_CLASSES[(p * 7) % len(GBT_CLASSES)] for p in range(1, n_pat + 1)}
        buyer_of = {
            x["deal_id"]: x["organization_id"]
            for x in parties
            if x["role"] in ("assignee", "licensee", "company")
        }
        for link in links:
            buyer = buyer_of.get(link["deal_id"])
            if buyer is not None and link["deal_id"] % 10:  # 90% of conveyed patents fit the buyer's industry
                industry_of[link["patent_id"]] = GBT_CLASSES[buyer % len(GBT_CLASSES)]
        counts["patent_industries"] = ins.insert(
            PatentIndustry,
            (
                {
                    "id": p,
                    "patent_id": p,
                    "scheme": "gbt4754",
                    "code": industry_of[p],
                    "level": 4,
                    "source": "derived",
                    "derived": True,
                }
                for p in range(1, n_pat + 1)
            ),
        )
        published = [
            datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(1035 * 24 * 60))
            for _ in range(n_need)
        ]
        counts["needs"] = ins.insert(
            Need,
            (
                {
                    "id": k,
                    "enterprise_id": ent_ids[k % n_ent],
                    "title": f"合成需求{k}（合成）",
                    "description": "合成技术需求（合成）",
                    "wanted_mode": "transfer",
                    "status": "open",
                    "published_at": published[k - 1],
                }
                for k in range(1, n_need + 1)
            ),
        )
        counts["need_answers"] = ins.insert(
            NeedAnswer,
            (
                {
                    "id": 2 * k - j,
                    "need_id": k,
                    "institution_id": inst_ids[(k + j * 7) % n_inst],
                    "text": "合成答复（合成）",
                    "answered_at": published[k - 1] + timedelta(minutes=rng.randrange(1, 90 * 24 * 60)),
                }
                for k in range(1, n_need + 1)
                for j in (0, 1)
            ),
        )
        counts["deals"] = ins.insert(Deal, deals)
        counts["deal_parties"] = ins.insert(DealParty, parties)
        counts["deal_patents"] = ins.insert(DealPatent, links)
        counts["filings"] = ins.insert(Filing, filings)
        if ins.pg:
            from django.core.management.color import no_style

            sql = connection.ops.sequence_reset_sql(no_style(), loaded)
            with connection.cursor() as c:
                for s in sql:
                    c.execute(s)
            t_idx = time.perf_counter()
            orphans = pg_bulk_load_end(connection, deferred_indexes, [m._meta.db_table for m in loaded])
            counts["pg_index_rebuild_and_fk_check_s"] = round(time.perf_counter() - t_idx, 1)
            counts["pg_fk_orphans"] = orphans
            if orphans:
                raise SystemExit(f"generated data breaks {orphans} foreign keys")
    if ins.pg:
        with connection.cursor() as c:
            c.execute("ANALYZE")
    else:
        with connection.cursor() as c:
            c.execute("ANALYZE")
    counts["timing"] = CLOCK.stop(t0)
    counts["seconds"] = counts["timing"]["wall_s"]
    return counts


# ------------------------------------------------------------------------------------------------ measuring


def measure(repeat: int, naive_repeat: int) -> dict:
    from django.test import Client

    from panhuo.accounts.models import Organization, Role
    from panhuo.accounts.services import user_create
    from panhuo.monitoring import aggregates as agg
    from panhuo.monitoring import naive
    from panhuo.monitoring.anomalies import anomalies_run
    from panhuo.monitoring.kpi import programme_create, programme_evaluate
    from panhuo.monitoring.regions import Period
    from panhuo.monitoring.stats import Scope, dashboard

    out: dict = {}
    t0 = CLOCK.start()
    info = agg.aggregates_rebuild()
    out["aggregates_rebuild_timing"] = CLOCK.stop(t0)
    out["aggregates_rebuild_s"] = out["aggregates_rebuild_timing"]["wall_s"]
    out["aggregate_rows"] = info["rows"]
    office = Organization.objects.get(code="SYN-OFFICE-50")
    user, _ = user_create(
        username="bench_office",
        role=Role.OFFICE_OFFICIAL,
        organization=office,
        password="Bench#2026xYz!",
        must_change_password=False,
    )
    programme = programme_create(
        actor=user,
        code="BENCH-CQ",
        name="bench",
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        preset="cq-gxq",
    )
    client = Client()
    client.force_login(user)
    scopes = ["", "50", "11", "44", "5001", "3201"]
    # exactness at scale: aggregates == naive for national and one province
    exact = True
    for prefix in ("", "50"):
        d = dashboard(Scope(prefix, None, ""), Period(2025))
        naive = naive.naive_deal_totals(prefix=prefix, year=2025)
        got = {
            k: {f: v[f] for f in ("deals", "patents", "contract_fen", "received_fen")}
            for k, v in d["totals"].items()
        }
        exact &= got == naive
        inv = naive.naive_inventory(prefix=prefix)
        exact &= all(d["inventory"][k] == inv[k] for k in inv)
        exact &= d["smes_served_by_institutions"] == naive.naive_smes_served_by_institutions(
            prefix=prefix, year=2025
        )
        exact &= [
            {f: r[f] for f in ("id", "deals", "contract_fen", "received_fen")} for r in d["top_institutions"]
        ] == naive.naive_top_institutions(prefix=prefix, year=2025)
        exact &= d["response_time"] == naive.naive_response_hours(prefix=prefix, year=2025)
    out["aggregates_equal_naive"] = exact

    client.get("/monitoring/", {"period": "2025"})  # warm-up: template compilation, session
    client.get("/monitoring/kpi/BENCH-CQ/")
    t0 = CLOCK.start()
    timings: dict[str, list[float]] = {
        "dashboard_page": [],
        "dashboard_selector": [],
        "kpi_page": [],
        "kpi_selector": [],
    }
    for i in range(repeat):
        prefix = scopes[i % len(scopes)]
        t = time.perf_counter()
        dashboard(Scope(prefix, None, ""), Period(2025))
        timings["dashboard_selector"].append(time.perf_counter() - t)
        t = time.perf_counter()
        r = client.get("/monitoring/", {"period": "2025"})
        timings["dashboard_page"].append(time.perf_counter() - t)
        assert r.status_code == 200, r.status_code
        t = time.perf_counter()
        programme_evaluate(programme, as_of=date(2026, 6, 30))
        timings["kpi_selector"].append(time.perf_counter() - t)
        t = time.perf_counter()
        r = client.get("/monitoring/kpi/BENCH-CQ/")
        timings["kpi_page"].append(time.perf_counter() - t)
        assert r.status_code == 200
    out["optimised_loop_timing"] = CLOCK.stop(t0)
    t0 = CLOCK.start()
    naive: dict[str, list[float]] = {"dashboard_naive": [], "kpi_naive": []}
    for i in range(naive_repeat):
        prefix = scopes[i % len(scopes)]
        t = time.perf_counter()
        naive.naive_deal_totals(prefix=prefix, year=2025)
        naive.naive_deal_totals(prefix=prefix, year=2024)
        naive.naive_inventory(prefix=prefix)
        naive.naive_smes_served_by_institutions(prefix=prefix, year=2025)
        naive.naive_top_institutions(prefix=prefix, year=2025)
        naive.naive_response_hours(prefix=prefix, year=2025)
        naive["dashboard_naive"].append(time.perf_counter() - t)
        t = time.perf_counter()
        naive.naive_deal_totals(prefix="50", year=2026)
        naive.naive_smes_served_by_institutions(prefix="50", year=2026)
        naive.naive_inventory(prefix="50")
        naive["kpi_naive"].append(time.perf_counter() - t)
    out["naive_loop_timing"] = CLOCK.stop(t0)
    for k, v in {**timings, **naive}.items():
        out[f"{k}_p95_ms"] = p95(v)
        out[f"{k}_median_ms"] = round(statistics.median(v) * 1000, 1)
    out["naive_note"] = (
        "naive = the same totals straight from deals/inventory/answer tables (dashboard: this+last year per"
        " kind, inventory, distinct SMEs, top-20 institutions, response time; KPI: the aggregate-backed metrics' base queries), no rendering"
    )
    t0 = CLOCK.start()
    run, cases = anomalies_run(as_of=date(2026, 11, 1))
    out["anomaly_job_timing"] = CLOCK.stop(t0)
    out["anomaly_job_s"] = out["anomaly_job_timing"]["wall_s"]
    out["anomaly_deals_scanned"] = run.deals_scanned
    rules: dict[str, int] = {}
    for c in cases:
        rules[c.rule] = rules.get(c.rule, 0) + 1
    out["anomaly_cases_by_rule"] = rules
    return out


def run_one(backend: str, scale: float, repeat: int, naive_repeat: int) -> dict:
    tmp = None
    if backend == "postgres":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_monitoring")
            c.execute("CREATE DATABASE bench_monitoring")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        tmp = tempfile.mkdtemp(prefix="monbench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["PANHUO_DATA_DIR"] = tempfile.mkdtemp(prefix="monbench-data-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    result = {
        "backend": backend,
        "scale": scale,
        "cpus": os.cpu_count(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "migrate_s": round(time.perf_counter() - t, 1),
    }
    result["generated"] = generate(scale)
    result.update(measure(repeat, naive_repeat))
    result["target_p95_ms"] = 300
    result["target_anomaly_s"] = 300
    result["meets_targets"] = (
        result["dashboard_page_p95_ms"] <= 300
        and result["kpi_page_p95_ms"] <= 300
        and result["anomaly_job_s"] <= 300
    )
    result["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    result["process_cpu_s"] = round(time.process_time(), 1)
    if tmp:
        result["db_bytes"] = os.path.getsize(f"{tmp}/bench.sqlite3")
        from django.db import connection

        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)  # a national-scale SQLite file is several GB
    shutil.rmtree(os.environ["PANHUO_DATA_DIR"], ignore_errors=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.05, help="1.0 = national scale")
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--naive-repeat", type=int, default=6)
    args = ap.parse_args()
    if args.backend == "both":
        results = []
        for b in ("sqlite", "postgres"):
            p = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--scale",
                    str(args.scale),
                    "--backend",
                    b,
                    "--repeat",
                    str(args.repeat),
                    "--naive-repeat",
                    str(args.naive_repeat),
                ],
                capture_output=True,
                text=True,
            )
            if p.returncode:
                results.append({"backend": b, "error": p.stderr[-2000:]})
            else:
                results.append(json.loads(p.stdout))
        print(json.dumps({"machine": "shared 2-core dev box", "runs": results}, ensure_ascii=False))
        return
    print(json.dumps(run_one(args.backend, args.scale, args.repeat, args.naive_repeat), ensure_ascii=False))


if __name__ == "__main__":
    main()
