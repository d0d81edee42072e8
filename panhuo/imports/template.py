"""The downloadable template (批量建档模板) of a handler: header row, one example row, a notes sheet."""

from __future__ import annotations

import re

from panhuo.common.exports import xlsx_bytes
from panhuo.imports.registry import get_handler

# Excel refuses these in a sheet title (openpyxl: "Invalid character / found in sheet title"), and 31 characters.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def sheet_title(label: str) -> str:
    """A handler's label as a valid sheet title: forbidden characters become "、", at most 31 characters."""
    return _SHEET_TITLE_FORBIDDEN.sub("、", label).strip("'")[:31] or "模板"


def template_xlsx(kind: str) -> bytes:
    handler = get_handler(kind)
    columns = list(handler.columns)
    header = [c.title_zh + ("*" if c.required else "") for c in columns]
    example = handler.template_example()
    notes = [
        [
            c.title_zh,
            "必填" if c.required else "选填",
            "、".join(c.aliases[1:]),
            c.help_zh,
        ]
        for c in columns
    ]
    return xlsx_bytes(
        {
            sheet_title(handler.label_zh or handler.kind): (
                header,
                [[example.get(c.name, "") for c in columns]],
            ),
            "填写说明": (["列名", "是否必填", "也可写作", "说明"], notes),
        }
    )
