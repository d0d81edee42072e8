"""`panhuo import-deals FILE --institution CODE [--json]`: import historical deals (same JSON summary as import)."""

from __future__ import annotations

import importlib
from typing import Any

# The patents command module is named `import` (a keyword), so it is loaded by name.
_base: Any = importlib.import_module("panhuo.patents.management.commands.import").Command


class Command(_base):  # type: ignore[misc, valid-type]
    help = "Import historical deal records (转让/许可/质押/作价入股 备案数据) from CSV/XLSX. 导入历史交易。"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(kind="deals")
