#!/usr/bin/env bash
# Every check of `make test`. With CI=true, PostgreSQL and the browser tests are required;
# without it, a missing PostgreSQL or Chromium skips that part with a clear message.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
CI=${CI:-}
PG_URL=${DIGIGOV_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/digigov}
export DIGIGOV_VAR_DIR=${DIGIGOV_VAR_DIR:-$PWD/var/test}
mkdir -p "$DIGIGOV_VAR_DIR"

step() { printf '\n== %s\n' "$*"; }
required() { [ "$CI" = "true" ] || [ "$CI" = "1" ]; }

step "ruff (lint and format)"
$BIN/ruff check .
$BIN/ruff format --check .

step "import-linter (layers and in-app contracts)"
$BIN/lint-imports

step "migrations are complete (makemigrations --check)"
$BIN/digigov makemigrations --check --dry-run

step "OpenAPI contract unchanged (docs/openapi.json)"
$BIN/digigov export_openapi --check docs/openapi.json

step "pytest on SQLite"
DATABASE_URL="sqlite:///$DIGIGOV_VAR_DIR/test.sqlite3" $BIN/pytest -q

step "pytest on PostgreSQL"
if $BIN/python scripts/pg_ready.py "$PG_URL"; then
  DATABASE_URL="$PG_URL" $BIN/pytest -q
elif required; then
  echo "PostgreSQL at $PG_URL is required under CI but not reachable" >&2; exit 1
else
  echo "SKIPPED: PostgreSQL at $PG_URL not reachable (set DIGIGOV_TEST_POSTGRES_URL, or CI=true to require it)"
fi

step "browser tests (headless Chromium)"
if [ ! -x /usr/bin/chromium ] && required; then
  echo "installing Debian's chromium for the browser tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || { echo "could not install chromium" >&2; exit 1; }
fi
if [ -x /usr/bin/chromium ]; then
  DATABASE_URL="sqlite:///$DIGIGOV_VAR_DIR/e2e.sqlite3" $BIN/pytest -q -m e2e e2e
elif required; then
  echo "Chromium is required under CI but /usr/bin/chromium is missing" >&2; exit 1
else
  echo "SKIPPED: /usr/bin/chromium not found (apt-get install chromium, or CI=true to install it)"
fi
