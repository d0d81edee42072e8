#!/usr/bin/env bash
# Create .venv/ and install Panhuo with its development tools. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PANHUO_PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY=$candidate; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".[dev]"
