"""Migration 0004 keeps the institution ranking right on an existing database until the next rebuild."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from panhuo.monitoring.models import InstitutionYearAggregate
from panhuo.monitoring.regions import prefixes_of

from .factories import org

pytestmark = pytest.mark.django_db

m0004 = importlib.import_module("panhuo.monitoring.migrations.0004_institutionyear_prefix_rank")


def test_0004_expands_ranking_rows_per_region_prefix():
    uni, prov = org("university", "500107"), org("institute", "500000")
    # rows as 0003 left them; AddField gave them region_prefix ""
    for o, deals in ((uni, 3), (prov, 1)):
        InstitutionYearAggregate.objects.create(
            institution=o, name=o.name, region_code=o.region_code, year=2025, deals=deals
        )
    m0004.expand_rows(apps, None)
    got = sorted(InstitutionYearAggregate.objects.values_list("institution_id", "region_prefix", "deals"))
    assert got == sorted(
        [(uni.id, p, 3) for p in ("", "50", "5001", "500107")] + [(prov.id, p, 1) for p in ("", "50")]
    )
    # the frozen copy in the migration agrees with regions.prefixes_of
    for code in ("500107", "500100", "500000", "110105", "", "5001"):
        assert [""] + m0004._prefixes(code) == prefixes_of(code)


m0008 = importlib.import_module("panhuo.monitoring.migrations.0008_kpi_scope_units_scheme_versions")


def test_0008_gives_the_stored_jilin_indicators_and_snapshots_their_units():
    from datetime import date

    from panhuo.monitoring.models import KpiIndicator, KpiProgramme, KpiSnapshot

    office = org("ip_office", "220000")
    p = KpiProgramme.objects.create(
        office=office, code="JL", name="吉林", start=date(2026, 1, 1), end=date(2026, 12, 31), preset="jilin"
    )
    for code in ("jl1", "jl2", "jl8"):  # as stored before: growth indicators in "bp"
        KpiIndicator.objects.create(
            programme=p,
            code=code,
            name=code,
            metric="m",
            kind="growth",
            target=1000,
            unit="bp" if code != "jl8" else "件",
        )
    KpiSnapshot.objects.create(
        programme=p, period="2026-B1", as_of=date(2026, 2, 28), score_bp=0,
        results={"indicators": [{"code": "jl1", "unit": "bp"}, {"code": "jl2", "unit": "bp"}]},
    )  # fmt: skip
    m0008.fix_units(apps, None)
    assert dict(KpiIndicator.objects.values_list("code", "unit")) == {
        "jl1": "件",
        "jl2": "wan_yuan",
        "jl8": "件",
    }
    assert [r["unit"] for r in KpiSnapshot.objects.get().results["indicators"]] == ["件", "wan_yuan"]
