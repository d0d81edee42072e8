"""ECharts specs of the landscape page (drawn by monitoring's charts.js: bar / line / pie, click → the patents)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Link = Callable[[str, Any], str]


def landscape_charts(f: dict[str, Any], link: Link) -> dict[str, Any]:
    years = [str(y["year"]) for y in f["by_year"]]
    charts: dict[str, Any] = {
        "trend": {
            "type": "bar",
            "categories": years,
            "series": [
                {"name": "申请量（按申请年）", "data": [y["applications"] for y in f["by_year"]]},
                {"name": "授权量（按授权年）", "data": [y["grants"] for y in f["by_year"]]},
            ],
            "links": {str(y["year"]): link("app_year", y["year"]) for y in f["by_year"]},
        },
        "growth": {
            "type": "line",
            "categories": [str(g["year"]) for g in f["growth"]],
            "series": [{"name": "申请量同比增长 %", "data": [g["growth_percent"] for g in f["growth"]]}],
            "links": {str(g["year"]): link("app_year", g["year"]) for g in f["growth"]},
        },
        "types": {
            "type": "pie",
            "data": [{"name": r["label"], "value": r["patents"]} for r in f["type_rows"]],
            "links": {r["label"]: link("type", r["code"]) for r in f["type_rows"]},
        },
        "statuses": {
            "type": "pie",
            "data": [{"name": r["label"], "value": r["patents"]} for r in f["status_rows"]],
            "links": {r["label"]: link("status", r["code"]) for r in f["status_rows"]},
        },
        "holders": {
            "type": "bar",
            "rotate": 40,
            "categories": [h["name"][:14] for h in f["holders"][:15]],
            "series": [{"name": "专利数", "data": [h["patents"] for h in f["holders"][:15]]}],
            "links": {h["name"][:14]: link("holder", h["name"]) for h in f["holders"][:15]},
        },
        "ipc": {
            "type": "bar",
            "rotate": 40,
            "categories": [r["code"] for r in f["ipc"][:15]],
            "series": [{"name": "专利数", "data": [r["patents"] for r in f["ipc"][:15]]}],
            "links": {r["code"]: link("ipc", r["code"]) for r in f["ipc"][:15]},
        },
        "ipc_shift": {
            "type": "line",
            "categories": f["ipc_shift"]["periods"],
            "series": [{"name": s["code"], "data": s["percent"]} for s in f["ipc_shift"]["series"]],
        },
    }
    if f["industries"]:
        charts["industries"] = {
            "type": "bar",
            "rotate": 40,
            "categories": [f"{r['code']} {r['name'][:8]}" for r in f["industries"][:15]],
            "series": [{"name": "专利数", "data": [r["patents"] for r in f["industries"][:15]]}],
            "links": {
                f"{r['code']} {r['name'][:8]}": link("industry", r["code"]) for r in f["industries"][:15]
            },
        }
    conv = f["conversion"]
    charts["conversion"] = {
        "type": "bar",
        "categories": [k["label"] for k in conv["kinds"]],
        "series": [
            {"name": "交易数", "data": [k["deals"] for k in conv["kinds"]]},
            {"name": "涉及专利", "data": [k["patents"] for k in conv["kinds"]]},
        ],
        "links": {k["label"]: link("conversion", k["kind"]) for k in conv["kinds"]},
    }
    clusters = (f.get("clusters") or {}).get("clusters") or []
    if clusters:
        charts["clusters"] = {
            "type": "bar",
            "rotate": 30,
            "categories": [c["label"] for c in clusters],
            "series": [{"name": "专利数", "data": [c["patents"] for c in clusters]}],
            "links": {c["label"]: link("cluster", c["number"]) for c in clusters},
        }
    demand = f["demand"]["by_area"]
    if demand:
        charts["demand"] = {
            "type": "bar",
            "categories": [r["code"] for r in demand],
            "series": [
                {"name": "开放需求", "data": [r["needs"] for r in demand]},
                {"name": "范围内专利", "data": [r["patents"] for r in demand]},
            ],
        }
    region = f.get("region_comparison")
    if region:
        charts["region"] = {
            "type": "line",
            "categories": [str(y["year"]) for y in region["by_year"]],
            "series": [
                {"name": "全国", "data": [y["national"] for y in region["by_year"]]},
                {"name": "本地区", "data": [y["region"] for y in region["by_year"]]},
            ],
        }
    return charts


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}"


def decorate(f: dict[str, Any], link: Link) -> dict[str, Any]:
    """Attach to every figure the link to its patents and the display forms the page needs."""
    for y in f["by_year"]:
        y["app_link"] = link("app_year", y["year"])
        y["grant_link"] = link("grant_year", y["year"])
    for r in f["type_rows"]:
        r["link"] = link("type", r["code"])
    for r in f["status_rows"]:
        r["link"] = link("status", r["code"])
    for r in f["holder_type_rows"]:
        r["link"] = link("holder_type", r["code"])
    for h in f["holders"]:
        h["link"] = link("holder", h["name"])
        h["share_percent"] = _percent(h["share"])
    for e in f["new_entrants"]:
        e["link"] = link("holder", e["name"])
    for t in f["teams"]:
        t["link"] = link("team", t["lead"])
        t["members_text"] = "、".join(t["members"][:5]) + (f" 等 {t['size']} 人" if t["size"] > 5 else "")
    for r in f["ipc"]:
        r["link"] = link("ipc", r["code"])
    for r in f["industries"]:
        r["link"] = link("industry", r["code"])
    conv = f["conversion"]
    for k in conv["kinds"]:
        k["link"] = link("conversion", k["kind"])
    conv["pooled_link"] = link("conversion", "pooled")
    conv["open_link"] = link("conversion", "open_licence_listing")
    conv["high_link"] = link("conversion", "high_value")
    conv["sleeping_link"] = link("conversion", "sleeping")
    conv["pooled_percent"] = _percent(conv["pooled_share"])
    for c in (f.get("clusters") or {}).get("clusters") or []:
        c["link"] = link("cluster", c["number"])
        c["recent_percent"] = _percent(c["recent_share"])
    region = f.get("region_comparison")
    if region:
        region["share_percent"] = _percent(region["share"])
        region["inside_link"] = link("region", "inside")
        region["outside_link"] = link("region", "outside")
        for y in region["by_year"]:
            y["share_percent"] = _percent(y["share"])
    return f
