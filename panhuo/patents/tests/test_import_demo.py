"""The patents demo loader: real reference records, placed by IPC field, merged, idempotent, state mix."""

from __future__ import annotations

import io

from django.core.management.base import OutputWrapper

from panhuo.accounts import demo as accounts_demo
from panhuo.patents import demo
from panhuo.patents.models import InventoryRecord, Patent


def test_collect_merges_datasets_and_keeps_real_numbers():
    records = demo.collect()
    pubs = [r["pub"] for r in records if r["pub"]]
    assert len(pubs) == len({p[:-1] for p in pubs})  # one record per publication (A/B kinds merged)
    first = next(r for r in records if r["pub"] == "CN114081026A")
    assert (first["title"], first["ipc"], first["sources"]) == (
        "一种水电站高压输电线路驱鸟保护装置",
        ["A01M", "G06F", "H02G"],
        ["lxingy3"],
    )
    cnki = next(r for r in records if r["pub"] == "CN108982325A")
    assert (cnki["applicants"], cnki["application_date"]) == ("浙江大学", "2018-07-30")
    assert cnki["abstract"].startswith("本发明公开了一种地下防污屏障材料化学相容性测试装置及方法")
    synthetic = [r for r in records if r.get("synthetic_number")]
    assert len(synthetic) == 693 and all(r["app"] and not r["pub"] for r in synthetic)


def test_place_by_field():
    assert demo.place({"ipc": ["G06F"], "sources": [], "title": "x"}) == ("DEMO-UNI-1", "CS")
    assert demo.place({"ipc": ["A01B"], "sources": [], "title": "x"}) == ("DEMO-UNI-2", "AG")
    assert demo.place({"ipc": ["H01M"], "sources": [], "title": "x"}) == ("DEMO-INST-1", "ENERGY")
    assert demo.place({"ipc": [], "sources": ["cnki"], "title": "x"}) == ("DEMO-INST-1", "CHEM")


def test_load_is_idempotent_and_labelled(db, monkeypatch):
    full = demo.collect()
    subset = [r for r in full if r["pub"]][:400] + [r for r in full if r.get("synthetic_number")][:20]
    monkeypatch.setattr(demo, "collect", lambda: subset)
    out = OutputWrapper(io.StringIO())
    accounts_demo.load(out)
    demo.load(out)
    assert Patent.objects.count() == 420
    assert Patent.objects.filter(is_demo=False).count() == 0
    assert Patent.objects.filter(is_synthetic=True).count() == 20
    assert InventoryRecord.objects.filter(is_demo=False).count() == 0
    states = set(InventoryRecord.objects.values_list("state", flat=True))
    assert {"unfiled", "draft", "pooled"} <= states
    mine = InventoryRecord.objects.filter(inventor_users__username="demo_inventor")
    assert mine.count() == 12
    assert all(r.patent.inventors[0] == "王建国" and r.organization.code == "DEMO-UNI-1" for r in mine)
    before = list(InventoryRecord.objects.order_by("id").values_list("id", "state"))
    out2 = io.StringIO()
    demo.load(OutputWrapper(out2))
    assert " 0 new" in out2.getvalue() and "rejected" in out2.getvalue()
    assert Patent.objects.count() == 420
    assert list(InventoryRecord.objects.order_by("id").values_list("id", "state")) == before
