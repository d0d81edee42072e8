#!/usr/bin/env bash
# The README's first command: install, migrate the embedded SQLite database, load reference + demo data,
# print the demo accounts and start the web server and task worker on 127.0.0.1.
# Production-like by default (DEBUG off, static files collected and served, friendly error pages); set
# PANHUO_DEBUG=1 in the environment to debug, PANHUO_BIND to listen elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DJANGO_SETTINGS_MODULE=config.settings
.venv/bin/panhuo migrate --no-input
.venv/bin/panhuo collectstatic --no-input >/dev/null
.venv/bin/panhuo demo
if [ "${1:-}" = "--no-serve" ]; then exit 0; fi
exec .venv/bin/panhuo serve --bind "${PANHUO_BIND:-127.0.0.1:8000}"
