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
# This machine's pip configuration names local mirrors that may be absent: hide only those warnings.
quiet() { "$@" 2> >(grep -v -e "WARNING: Location 'file:" -e "BuildBackendWarning" -e "^  !!" -e "^\s*\*\*\*" \
  -e "Please be careful with folders" -e "name as your package" -e "with strategy, WheelFile" -e "^\s*$" >&2); }
quiet .venv/bin/python -m pip install -q --upgrade pip >/dev/null
quiet .venv/bin/python -m pip install -q -e ".[dev]"
