"""XLSX rendering with openpyxl: text cells are neutralised (= + - @ tab CR) and forced to text; one bar chart."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.chart import BarChart, Reference

from engine.deals.money import yuan_number
from panhuo.common.exports import safe_cell
from panhuo.common.labels import region_name
from panhuo.monitoring.templatetags.monitoring_tags import kpi_number


class _Yuan(int):
    """An amount in fen that the sheet stores as a number of yuan, formatted #,##0.00 (money stays a number)."""


class _Percent(float):
    """A percentage (2.0 means 2%) stored as a number formatted 0.00."""


def _sheet(wb: Workbook, title: str, rows: list[list[Any]]) -> Any:
    ws = wb.create_sheet(title=title[:31])
    for row in rows:
        ws.append([yuan_number(v) if isinstance(v, _Yuan) else safe_cell(v) for v in row])
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, _Yuan | _Amount):
                ws.cell(row=r, column=c).number_format = "#,##0.00"
            elif isinstance(v, _Percent):
                ws.cell(row=r, column=c).number_format = "0.00"
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
    return ws


def _yuan(fen: int | None) -> _Yuan:
    return _Yuan(int(fen or 0))


class _Amount(float):
    """An amount in 万元 / 亿元 (already scaled from fen by engine.monitoring.units), formatted #,##0.00."""


def _kpi(row: dict[str, Any], field: str) -> Any:
    number, unit = kpi_number(row, field)
    if unit == "元":
        return _Yuan(int(row.get(field) or 0))
    if unit in ("万元", "亿元"):
        return _Amount(number)
    return _Percent(number) if unit == "%" else number


def render_xlsx(c: dict[str, Any]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    s = c["stats"]
    labels = c["kind_labels"]
    overview = [
        [c["title"]],
        ["期间", c["period"]],
        ["单位", c["organization"]],
        [],
        ["指标", "分子", "分母", "比率%"],
    ]
    names = {
        "filing_rate": "建档率",
        "pooling_rate": "入库率",
        "transfer_rate": "转让率",
        "licence_rate": "许可率",
        "implementation_rate": "实施率",
        "industrialisation_rate": "产业化率",
    }
    for key, r in s["rates"].items():
        overview.append([names.get(key, key), r["numerator"], r["denominator"], r["percent"]])
    inv = s["inventory"]
    overview += [
        [],
        ["存量专利", inv["total"]],
        ["已建档", inv["filed"]],
        ["已入库", inv["pooled"]],
        ["有效", inv["valid"]],
    ]
    if c["kind"] == "office":
        overview += [
            ["服务中小微企业", s["smes_served"]],
            ["异常线索(待核查)", c["anomalies"].get("open", 0)],
            ["奖补申报(元)", _yuan(c["subsidy"]["claimed"])],
            ["奖补拨付(元)", _yuan(c["subsidy"]["paid"])],
        ]
    _sheet(wb, "概览", overview)
    deal_rows: list[list[Any]] = [["类型", "交易数", "专利数", "合同金额(元)", "实际到账(元)", "交易数同比%"]]
    for kind, t in s["totals"].items():
        deal_rows.append(
            [
                labels.get(kind, kind),
                t["deals"],
                t["patents"],
                _yuan(t["contract_fen"]),
                _yuan(t["received_fen"]),
                t.get("yoy_deals_percent"),
            ]
        )
    ws = _sheet(wb, "转化交易", deal_rows)
    if len(deal_rows) > 1:
        chart = BarChart()
        chart.title = "各类交易数"
        chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=len(deal_rows)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(deal_rows)))
        ws.add_chart(chart, "H2")
    if c["kind"] == "office":
        _sheet(
            wb,
            "下级区域",
            [["区域", "交易数", "合同金额(元)"]]
            + [
                [region_name(r["region"]), r["deals"], _yuan(r["contract_fen"])]
                for r in s.get("sub_regions", [])
            ],
        )
        _sheet(
            wb,
            "高校院所",
            [["机构", "交易数", "合同金额(元)", "到账(元)"]]
            + [
                [r["name"], r["deals"], _yuan(r["contract_fen"]), _yuan(r["received_fen"])]
                for r in s.get("top_institutions", [])
            ],
        )
        kpi_rows: list[list[Any]] = [["方案", "指标", "单位", "目标", "当前", "预测", "进度(%)", "状态"]]
        for k in c["kpis"]:
            for r in k["indicators"]:
                kpi_rows.append(
                    [
                        k["name"],
                        r["name"],
                        kpi_number(r, "actual")[1],
                        _kpi(r, "target"),
                        _kpi(r, "actual"),
                        _kpi(r, "forecast"),
                        _Percent(r["progress_bp"] / 100),
                        "正常" if r["on_track"] else "滞后",
                    ]
                )
        _sheet(wb, "KPI", kpi_rows)
    else:
        _sheet(
            wb,
            "学院",
            [["学院", "存量", "已建档", "已入库", "建档率%", "入库率%"]]
            + [
                [r["college"], r["total"], r["filed"], r["pooled"], r["filing_rate"], r["pooling_rate"]]
                for r in s.get("colleges", [])
            ],
        )
        _sheet(
            wb,
            "交易明细",
            [["编号", "类型", "名称", "合同日期", "合同金额(元)", "到账(元)"]]
            + [
                [
                    d["code"],
                    labels.get(d["kind"], d["kind"]),
                    d["title"],
                    str(d["contract_date"] or ""),
                    _yuan(d["contract_amount_fen"]),
                    _yuan(d["received_fen"]),
                ]
                for d in c.get("deals", [])
            ],
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
