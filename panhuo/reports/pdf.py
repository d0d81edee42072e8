"""PDF rendering with reportlab: a CJK TrueType font when one is installed, else the built-in STSong-Light CID font.

Debian's Noto CJK .ttc files have PostScript (CFF) outlines, which reportlab cannot embed, so the common case
is the CID font (not embedded; PDF readers supply it).
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from engine.deals.money import format_bp, format_fen
from panhuo.monitoring.templatetags.monitoring_tags import kpi_text

TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    for path in TTF_CANDIDATES:
        if Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont("PanhuoCJK", path))
                return "PanhuoCJK"
            except Exception:  # noqa: S112 - CFF outlines etc.: try the next one
                continue
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _yuan(fen: int | None) -> str:
    return format_fen(int(fen or 0))


def pdf_table(rows: list[list[Any]], font: str) -> Table:
    t = Table([[str(v) if v is not None else "—" for v in r] for r in rows], repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ]
        )
    )
    return t


def bar_chart(categories: list[str], values: list[int], font: str) -> Drawing:
    d = Drawing(460, 200)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, 400, 140
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = categories or ["—"]
    chart.categoryAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2b6cb0")
    d.add(chart)
    return d


def render_pdf(c: dict[str, Any]) -> bytes:
    font = cjk_font()
    # wordWrap="CJK" breaks Chinese lines between characters but never before closing punctuation ("）")
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22, wordWrap="CJK")
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8, wordWrap="CJK")
    body = ParagraphStyle("b", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    s = c["stats"]
    labels = c["kind_labels"]
    story: list[Any] = [
        # the period is on the next line already ("期间："): a heading that wraps never leaves "）" alone
        Paragraph(re.sub(r"（[^（）]*）$", "", c["title"]), h1),
        Paragraph(f"单位：{c['organization']}　期间：{c['period']}", body),
        Spacer(1, 8),
        Paragraph("一、存量专利盘点与转化率", h2),
    ]
    names = {
        "filing_rate": "建档率",
        "pooling_rate": "入库率",
        "transfer_rate": "转让率",
        "licence_rate": "许可率",
        "implementation_rate": "实施率",
        "industrialisation_rate": "产业化率",
    }
    story.append(
        pdf_table(
            [["指标", "分子", "分母", "比率%"]]
            + [
                [names.get(k, k), r["numerator"], r["denominator"], r["percent"]]
                for k, r in s["rates"].items()
            ],
            font,
        )
    )
    story.append(Paragraph("二、转化交易", h2))
    story.append(
        pdf_table(
            [["类型", "交易数", "专利数", "合同金额(元)", "实际到账(元)", "同比%"]]
            + [
                [
                    labels.get(k, k),
                    t["deals"],
                    t["patents"],
                    _yuan(t["contract_fen"]),
                    _yuan(t["received_fen"]),
                    t.get("yoy_deals_percent"),
                ]
                for k, t in s["totals"].items()
            ],
            font,
        )
    )
    kinds = list(s["totals"])
    story.append(bar_chart([labels.get(k, k) for k in kinds], [s["totals"][k]["deals"] for k in kinds], font))
    if c["kind"] == "office":
        story.append(
            Paragraph(
                f"服务中小微企业 {s['smes_served']} 家；异常线索待核查 {c['anomalies'].get('open', 0)} 条，"
                f"确认 {c['anomalies'].get('confirmed', 0)} 条；奖补拨付 {_yuan(c['subsidy']['paid'])} 元。",
                body,
            )
        )
        if s.get("top_institutions"):
            story.append(Paragraph("三、高校院所", h2))
            story.append(
                pdf_table(
                    [["机构", "交易数", "合同金额(元)"]]
                    + [[r["name"], r["deals"], _yuan(r["contract_fen"])] for r in s["top_institutions"][:15]],
                    font,
                )
            )
        for k in c["kpis"]:
            story.append(
                Paragraph(f"KPI：{k['name']}（截至 {k['as_of']}，得分 {format_bp(k['score_bp'])}）", h2)
            )
            story.append(
                pdf_table(
                    [["指标", "目标", "当前", "预测", "状态"]]
                    + [
                        [
                            r["name"][:24],
                            kpi_text(r, "target"),
                            kpi_text(r, "actual"),
                            kpi_text(r, "forecast"),
                            "正常" if r["on_track"] else "滞后",
                        ]
                        for r in k["indicators"]
                    ],
                    font,
                )
            )
    else:
        if s.get("colleges"):
            story.append(Paragraph("三、各学院建档与入库", h2))
            story.append(
                pdf_table(
                    [["学院", "存量", "已建档", "已入库", "建档率%", "入库率%"]]
                    + [
                        [
                            r["college"],
                            r["total"],
                            r["filed"],
                            r["pooled"],
                            r["filing_rate"],
                            r["pooling_rate"],
                        ]
                        for r in s["colleges"]
                    ],
                    font,
                )
            )
        if c.get("deals"):
            story.append(Paragraph("四、交易明细", h2))
            story.append(
                pdf_table(
                    [["编号", "类型", "名称", "合同金额(元)"]]
                    + [
                        [
                            d["code"],
                            labels.get(d["kind"], d["kind"]),
                            d["title"][:30],
                            _yuan(d["contract_amount_fen"]),
                        ]
                        for d in c["deals"][:200]
                    ],
                    font,
                )
            )
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=c["title"], author="Panhuo").build(story)
    return buf.getvalue()
