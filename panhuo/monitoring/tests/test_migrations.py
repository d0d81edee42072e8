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
