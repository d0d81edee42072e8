"""The downloadable template (批量建档模板) of a handler: header row, one example row, a notes sheet."""

from __future__ import annotations

from panhuo.common.exports import xlsx_bytes
from panhuo.imports.registry import get_handler


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
            handler.label_zh or handler.kind: (header, [[example.get(c.name, "") for c in columns]]),
            "填写说明": (["列名", "是否必填", "也可写作", "说明"], notes),
        }
    )
