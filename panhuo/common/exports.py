"""Formula-injection-safe exports (EX-1): CSV (RFC 4180) and XLSX with text cells."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
# A minus sign and a plain number ("-123.45", "-1,234.50" from format_fen) is a value, not a formula: no quote.
_NEGATIVE_NUMBER = re.compile(r"-(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """Prefix a quote to any string a spreadsheet would read as a formula; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):  # Decimal: exact money (engine.deals.money.yuan_number)
        return value
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM so Excel opens UTF-8 correctly


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One workbook, several sheets; every string cell is stored as text, never as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title=title[:31])
        for row in [list(header), *rows]:
            sheet.append([safe_cell(v) for v in row])
        for row_cells in sheet.iter_rows():
            for cell in row_cells:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_guard(request: Any, what: str, rate: str = "20/m") -> HttpResponse | None:
    """Call where an export is about to be produced: 429 past the rate, else audit the export and return None."""
    from panhuo.common.audit import audit_record
    from panhuo.common.ratelimit import hit
    from panhuo.common.request_context import client_ip

    user_id = getattr(request.user, "pk", None)
    allowed = hit(f"export:ip:{client_ip(request)}", rate)
    if user_id:
        allowed = hit(f"export:user:{user_id}", rate) and allowed
    if not allowed:
        return HttpResponse(
            "导出过于频繁，请稍后再试 Too many exports", status=429, content_type="text/plain; charset=utf-8"
        )
    audit_record(
        "data.export",
        actor=request.user,
        detail={"what": what, "query": request.GET.urlencode()[:300]},
    )
    return None
