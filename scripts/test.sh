#!/usr/bin/env bash
# The README's second command: static checks, then the whole test suite.
# DATABASE_URL selects the database (default: SQLite). --tests-only skips the static checks.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/install.sh
bash scripts/system-deps.sh || echo "warning: system packages missing; browser tests will be skipped" >&2
export PATH="$PWD/.venv/bin:$PATH"
export DJANGO_SETTINGS_MODULE=config.settings_test
if [ "${1:-}" != "--tests-only" ]; then
  echo "== ruff"; ruff check . && ruff format --check .
  echo "== import-linter"; lint-imports
  echo "== mypy"; mypy engine panhuo config
  echo "== django checks"; panhuo makemigrations --check --dry-run && panhuo check
  echo "== deploy check (production settings)"
  rnd() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
  PANHUO_ENV=prod PANHUO_SECRET_KEY="ci-$(rnd 32)" PANHUO_FIELD_KEYS="k1:$(rnd 16)" PANHUO_AUDIT_HMAC_KEY="$(rnd 32)" \
    PANHUO_ALLOWED_HOSTS=panhuo.example.gov.cn DATABASE_URL="sqlite:///$(mktemp -d)/deploycheck.sqlite3" \
    DJANGO_SETTINGS_MODULE=config.settings panhuo check --deploy --fail-level WARNING
fi
[ "${1:-}" = "--tests-only" ] && shift || true
echo "== pytest (${DATABASE_URL:-sqlite})"
if [ $# -eq 0 ]; then
  # The whole suite: line + branch coverage of the product code, failing under the floor in pyproject.toml.
  python -m pytest -q --cov --cov-report=term
else
  python -m pytest -q "$@"
fi
