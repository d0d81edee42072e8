"""`panhuo`: a thin entry point over Django's management commands (panhuo serve, import, demo, …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["panhuo", *argv])
    args[0] = "panhuo"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
