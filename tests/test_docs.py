"""Docs that must follow the code: every environment variable in docs/settings.md, every command in docs/commands.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    p for top in ("config", "panhuo", "engine") for p in (ROOT / top).rglob("*.py") if "/tests/" not in str(p)
]
ENV_READ = re.compile(r"""(?:environ\.get|environ\[|getenv|_env_bool)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")


def test_every_environment_variable_is_documented():
    read = {name for p in SOURCES for name in ENV_READ.findall(p.read_text(encoding="utf-8"))}
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs/settings.md").read_text(encoding="utf-8"))
    )
    assert "PANHUO_IMPORT_STALE_SECONDS" in read and "PANHUO_DEBUG" in read  # the pattern sees both spellings
    assert sorted(read - documented - {"DJANGO_SETTINGS_MODULE"}) == []


def test_apps_read_settings_not_the_environment():
    # panhuo/cli.py sets DJANGO_SETTINGS_MODULE; backup passes the environment on to pg_dump / psql.
    allowed = {"panhuo/cli.py", "panhuo/common/backup.py"}
    readers = {
        str(p.relative_to(ROOT))
        for p in SOURCES
        if p.parts[len(ROOT.parts)] in ("panhuo", "engine")
        and re.search(r"os\.environ|getenv", p.read_text())
    }
    assert sorted(readers - allowed) == []


def test_every_command_is_documented():
    commands = {p.stem for p in (ROOT / "panhuo").glob("*/management/commands/*.py") if p.stem != "__init__"}
    text = (ROOT / "docs/commands.md").read_text(encoding="utf-8")
    assert len(commands) > 20
    assert sorted(c for c in commands if not re.search(rf"`panhuo {re.escape(c)}\b", text)) == []
