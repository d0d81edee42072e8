"""The 专利导航 report: a PDF laid out in the GB/T 39551 structure and an XLSX data annex.

信息采集 (scope and sources) → 数据处理 (counting rules) → 分析 (status, holders, technology, clusters,
conversion, supply and demand, region) → 结论与建议 (generated findings + the analyst's text).
Tables and charts come from reports' PDF helpers and common's safe XLSX writer.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from engine.deals.money import format_fen
from engine.landscape.metrics import concentration_level
from panhuo.common.exports import xlsx_bytes
from panhuo.reports.pdf import bar_chart, cjk_font, pdf_table

PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#718096", "#d69e2e", "#319795"]


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _growth(x: float | None) -> str:
    return "—（无基数）" if x is None else f"{x:+.1f}%"


def findings_text(f: dict[str, Any]) -> list[str]:
    """Sentences drawn from the figures (the analyst adds their own below them)."""
    out = [
        f"范围内共有专利 {f['patents']} 件（每件只计一次），其中申请日未知 {f['unknown_year']} 件计入“未知”。"
    ]
    if f.get("pending_facts"):
        out.append(
            f"另有 {f['pending_facts']} 件可能属于本范围的专利近期有变更、导航数据尚待后台更新，未计入本报告。"
        )
    if f["last_year"]:
        out.append(
            f"最近三年（截至 {f['last_year']} 年）申请量较前三年增长 {_growth(f['recent_growth_percent'])}。"
        )
    c = f["concentration"]
    out.append(
        f"权利人 {f['holder_count']} 个，CR4 = {_pct(c['cr4'])}，HHI = {c['hhi']:.0f}，市场结构为{concentration_level(c['hhi'])}。"
    )
    if f["new_entrants_since"]:
        out.append(f"{f['new_entrants_since']} 年以来新进入的权利人 {f['new_entrant_count']} 个。")
    clusters = f.get("clusters") or {}
    emerging = clusters.get("emerging") or []
    if emerging:
        out.append(
            "新兴技术方向：" + "；".join(f"{c['label']}（{c['patents']} 件）" for c in emerging[:5]) + "。"
        )
    conv = f["conversion"]
    out.append(
        f"已入库（转化资源库）{conv['pooled']} 件，占 {_pct(conv['pooled_share'])}；已发生转让、许可、作价入股或开放许可的专利"
        f" {conv['converted_patents']} 件，占 {_pct(conv['converted_share'])}；高价值 {conv['high_value']} 件，沉睡 {conv['sleeping']} 件。"
    )
    demand = f["demand"]
    out.append(f"范围内开放的企业技术需求 {demand['open_needs']} 项。")
    if demand["white_space"]:
        out.append(
            "有需求而本范围专利不足（空白点）的技术领域："
            + "、".join(r["code"] for r in demand["white_space"][:10])
            + "。"
        )
    if demand["no_demand"]:
        out.append(
            "专利较多但尚无企业需求的领域：" + "、".join(r["code"] for r in demand["no_demand"][:5]) + "。"
        )
    return out


def _line(categories: list[str], series: list[tuple[str, list[float]]], font: str) -> Drawing:
    d = Drawing(460, 210)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 50, 400, 140
    chart.data = [[v or 0 for v in values] or [0] for _, values in series] or [[0]]
    chart.categoryAxis.categoryNames = categories or ["—"]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.angle = 30 if len(categories) > 8 else 0
    chart.valueAxis.valueMin = 0
    for i in range(len(series)):
        chart.lines[i].strokeColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    d.add(chart)
    for i, (name, _) in enumerate(series):
        d.add(
            String(
                40 + i * 110, 5, name, fontName=font, fontSize=8, fillColor=colors.HexColor(PALETTE[i % 8])
            )
        )
    return d


def _pie(rows: list[tuple[str, int]], font: str) -> Drawing:
    d = Drawing(460, 170)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 40, 15, 140, 140
    pie.data = [v for _, v in rows] or [1]
    pie.labels = [f"{k} {v}" for k, v in rows] or ["—"]
    pie.simpleLabels = 1
    for i in range(len(pie.data)):
        pie.slices[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        pie.slices[i].fontName = font
    d.add(pie)
    return d


def report_pdf(f: dict[str, Any], *, title: str, findings: str = "") -> bytes:
    font = cjk_font()
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=10)
    h3 = ParagraphStyle("h3", fontName=font, fontSize=10.5, leading=15, spaceBefore=6)
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13)

    def p(text: str, style: Any = body) -> Paragraph:
        return Paragraph(escape(text), style)

    story: list[Any] = [
        p(title, h1),
        p(f"数据日期：{f['data_date']}　依据：GB/T 39551-2020《专利导航指南》　数据口径：{f['visibility']}"),
        Spacer(1, 6),
        p("一、导航范围与数据来源", h2),
        pdf_table([["条件", "取值"]] + [[k, v] for k, v in f["scope_lines"]], font),
        p(
            "数据来源：盘活平台专利库（著录项目、法律状态、IPC 分类号、权利人、发明人）、产业分类（GB/T 4754-2017 国民经济行业"
            "分类及 IPC 参照关系）、转化交易与开放许可登记、价值评估结果、企业技术需求。"
            "计数规则：每件专利在每个统计项中只计一次；年份取申请日，无申请日者计入“未知”；权利人取专利权人，无专利权人时取申请人，"
            "名称经全角/半角、空格、有限责任公司/有限公司等规范化合并；IPC 构成按主组统计，一件专利可计入多个主组。"
        ),
        p("二、产业技术发展现状", h2),
        p("（一）申请与授权趋势", h3),
        pdf_table(
            [["年份", "申请量", "授权量", "申请量同比"]]
            + [
                [
                    y["year"],
                    y["applications"],
                    y["grants"],
                    next((_growth(g["growth_percent"]) for g in f["growth"] if g["year"] == y["year"]), "—"),
                ]
                for y in f["by_year"]
            ],
            font,
        ),
        _line(
            [str(y["year"]) for y in f["by_year"]],
            [
                ("申请量", [y["applications"] for y in f["by_year"]]),
                ("授权量", [y["grants"] for y in f["by_year"]]),
            ],
            font,
        ),
        p("（二）专利类型与法律状态", h3),
        pdf_table([["专利类型", "件数"]] + [[r["label"], r["patents"]] for r in f["type_rows"]], font),
        _pie([(r["label"], r["patents"]) for r in f["type_rows"]], font),
        pdf_table([["法律状态", "件数"]] + [[r["label"], r["patents"]] for r in f["status_rows"]], font),
        p("三、专利分析", h2),
        p("（一）创新主体", h3),
        p(
            f"CR4 = {_pct(f['concentration']['cr4'])}，HHI = {f['concentration']['hhi']:.0f}（{concentration_level(f['concentration']['hhi'])}）；"
            f"份额以权利人-专利计数（共 {f['concentration']['holder_patents']}）为分母。"
        ),
        pdf_table(
            [["排名", "权利人", "类型", "专利数", "份额"]]
            + [
                [i, h["name"], h["type_label"], h["patents"], _pct(h["share"])]
                for i, h in enumerate(f["holders"], 1)
            ],
            font,
        ),
        bar_chart(
            [h["name"][:6] for h in f["holders"][:10]], [h["patents"] for h in f["holders"][:10]], font
        ),
    ]
    if f["new_entrants"]:
        story += [
            p(f"{f['new_entrants_since']} 年以来的新进入者（共 {f['new_entrant_count']} 个）", h3),
            pdf_table(
                [["权利人", "首次申请年", "专利数"]]
                + [[e["name"], e["first_year"], e["patents"]] for e in f["new_entrants"]],
                font,
            ),
        ]
    if f["teams"]:
        story += [
            p("发明人团队（共同发明 ≥ 2 件的发明人相连成组）", h3),
            pdf_table(
                [["团队（主要成员）", "人数", "专利数"]]
                + [
                    ["、".join(t["members"][:4]) + ("等" if t["size"] > 4 else ""), t["size"], t["patents"]]
                    for t in f["teams"][:15]
                ],
                font,
            ),
        ]
    story += [
        p("（二）技术构成与演变", h3),
        pdf_table(
            [["IPC 主组", "名称", "专利数"]] + [[r["code"], r["title"][:40], r["patents"]] for r in f["ipc"]],
            font,
        ),
    ]
    shift = f["ipc_shift"]
    if shift["periods"]:
        story += [
            p("主要技术主组在各时期的占比（%）", body),
            pdf_table(
                [["IPC 主组", *shift["periods"]]] + [[s["code"], *s["percent"]] for s in shift["series"]],
                font,
            ),
            _line(shift["periods"], [(s["code"], s["percent"]) for s in shift["series"][:6]], font),
        ]
    if f["industries"]:
        story.append(
            pdf_table(
                [["国民经济行业大类", "名称", "专利数"]]
                + [[r["code"], r["name"], r["patents"]] for r in f["industries"]],
                font,
            )
        )
    clusters = f.get("clusters")
    story.append(p("（三）技术聚类与新兴方向", h3))
    if clusters and clusters["clusters"]:
        story += [
            p(
                f"聚类依据：{clusters['note']}"
                + (
                    f"；计算时间 {clusters['computed_at']:%Y-%m-%d %H:%M}"
                    if clusters.get("computed_at")
                    else ""
                )
                + "。"
            ),
            pdf_table(
                [["聚类", "特征词", "专利数", "近三年增长", "新兴"]]
                + [
                    [
                        c["number"],
                        "、".join(c["terms"]),
                        c["patents"],
                        _growth(c["growth"]),
                        "是" if c["emerging"] else "",
                    ]
                    for c in clusters["clusters"]
                ],
                font,
            ),
        ]
    else:
        story.append(p("尚未计算技术聚类（在页面上提交后台计算后再导出）。"))
    conv = f["conversion"]
    story += [
        p("（四）转化运用", h3),
        p(
            f"入库 {conv['pooled']} 件（{_pct(conv['pooled_share'])}）；开放许可在列 {conv['open_licence_listings']} 项；"
            f"高价值专利 {conv['high_value']} 件；沉睡专利 {conv['sleeping']} 件。"
        ),
        pdf_table(
            [["方式", "交易数", "涉及专利", "合同金额（元）"]]
            + [[k["label"], k["deals"], k["patents"], format_fen(k["amount_fen"])] for k in conv["kinds"]],
            font,
        ),
    ]
    demand = f["demand"]
    matches = (clusters or {}).get("matches") or {}
    story += [
        p("（五）供需对接", h3),
        p(
            f"范围内开放需求 {demand['open_needs']} 项；以本范围专利答复或点名的 {demand['answered_with_scope_patents']} 项；"
            + (
                f"匹配得分 ≥ {matches['threshold']} 的 {matches['good']} 项（检索 {matches['searched']} 项）。"
                if matches.get("good") is not None
                else "匹配情况待后台计算。"
            )
        ),
        pdf_table(
            [["IPC 小类", "开放需求", "范围内专利", "判断"]]
            + [[r["code"], r["needs"], r["patents"], "空白点"] for r in demand["white_space"][:15]]
            + [[r["code"], r["needs"], r["patents"], "有专利无需求"] for r in demand["no_demand"][:10]],
            font,
        ),
    ]
    region = f.get("region_comparison")
    if region:
        story += [
            p("（六）区域对比", h3),
            p(
                f"{f['region_name'] or region['region']} 在全国同一范围中的占比 {_pct(region['share'])}"
                f"（{region['region_patents']} / {region['national_patents']}）。"
            ),
            pdf_table(
                [["年份", "全国", "本地区", "占比"]]
                + [[y["year"], y["national"], y["region"], _pct(y["share"])] for y in region["by_year"]],
                font,
            ),
        ]
    story += [p("四、结论与建议", h2)] + [p(s) for s in findings_text(f)]
    story.append(p("分析人员意见", h3))
    for para in (findings or "（分析人员尚未填写）").splitlines():
        if para.strip():
            story.append(p(para.strip()))
    story += [Spacer(1, 8), p("附：范围定义（可据此复现本报告数据）", h3)]
    story.append(pdf_table([["字段", "值"]] + [[k, str(v)] for k, v in f["scope"].items()], font))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=title, author="Panhuo").build(story)
    return buf.getvalue()


def report_xlsx(f: dict[str, Any], *, title: str, findings: str = "") -> bytes:
    """The data annex: one sheet per figure, plus the scope definition and the findings."""
    clusters = (f.get("clusters") or {}).get("clusters") or []
    region = f.get("region_comparison")
    sheets: dict[str, Any] = {
        "范围与来源": (
            ["条件", "取值"],
            [[title, ""], ["数据日期", f["data_date"]], ["数据口径", f["visibility"]], *f["scope_lines"]],
        ),
        "年度趋势": (
            ["年份", "申请量", "授权量"],
            [[y["year"], y["applications"], y["grants"]] for y in f["by_year"]],
        ),
        "增长率": (
            ["年份", "申请量", "同比%"],
            [[g["year"], g["count"], g["growth_percent"]] for g in f["growth"]],
        ),
        "专利类型": (["类型", "件数"], [[r["label"], r["patents"]] for r in f["type_rows"]]),
        "法律状态": (["状态", "件数"], [[r["label"], r["patents"]] for r in f["status_rows"]]),
        "权利人": (
            ["权利人", "类型", "专利数", "份额", "首次申请年"],
            [[h["name"], h["type_label"], h["patents"], h["share"], h["first_year"]] for h in f["holders"]],
        ),
        "集中度": (
            ["指标", "值"],
            [
                ["CR4", f["concentration"]["cr4"]],
                ["HHI", f["concentration"]["hhi"]],
                ["权利人数", f["holder_count"]],
            ],
        ),
        "新进入者": (
            ["权利人", "首次申请年", "专利数"],
            [[e["name"], e["first_year"], e["patents"]] for e in f["new_entrants"]],
        ),
        "发明人团队": (
            ["成员", "人数", "专利数"],
            [["、".join(t["members"]), t["size"], t["patents"]] for t in f["teams"]],
        ),
        "IPC主组": (
            ["IPC 主组", "名称", "专利数"],
            [[r["code"], r["title"], r["patents"]] for r in f["ipc"]],
        ),
        "技术演变": (
            ["IPC 主组", *f["ipc_shift"]["periods"]],
            [[s["code"], *s["percent"]] for s in f["ipc_shift"]["series"]],
        ),
        "行业大类": (
            ["代码", "名称", "专利数"],
            [[r["code"], r["name"], r["patents"]] for r in f["industries"]],
        ),
        "技术聚类": (
            ["聚类", "标签", "特征词", "专利数", "增长%", "新兴"],
            [
                [c["number"], c["label"], "、".join(c["terms"]), c["patents"], c["growth"], c["emerging"]]
                for c in clusters
            ],
        ),
        "转化运用": (
            ["方式", "交易数", "涉及专利", "合同金额(元)"],
            [
                [k["label"], k["deals"], k["patents"], format_fen(k["amount_fen"])]
                for k in f["conversion"]["kinds"]
            ]
            + [
                ["入库专利", "", f["conversion"]["pooled"], ""],
                ["开放许可在列", f["conversion"]["open_licence_listings"], "", ""],
                ["高价值", "", f["conversion"]["high_value"], ""],
                ["沉睡", "", f["conversion"]["sleeping"], ""],
            ],
        ),
        "供需对接": (
            ["IPC 小类", "开放需求", "范围内专利"],
            [[r["code"], r["needs"], r["patents"]] for r in f["demand"]["by_area"]],
        ),
        "结论与建议": (
            ["内容"],
            [[s] for s in findings_text(f)] + [["分析人员意见"]] + [[line] for line in findings.splitlines()],
        ),
    }
    if region:
        sheets["区域对比"] = (
            ["年份", "全国", "本地区", "占比"],
            [[y["year"], y["national"], y["region"], y["share"]] for y in region["by_year"]],
        )
    return xlsx_bytes(sheets)
