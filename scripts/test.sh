#!/usr/bin/env bash
# The whole test command behind `make test`: lint, types, layers, then pytest on
# SQLite and on a throwaway PostgreSQL cluster that is stopped at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin

scripts/lint.sh

pgdir=$(mktemp -d /tmp/shopsense-pg.XXXXXX)
cleanup() { scripts/pg-cluster.sh stop "$pgdir" || true; }
trap cleanup EXIT INT TERM
echo "== postgresql (throwaway cluster in $pgdir)"
SHOPSENSE_TEST_PG_URL=$(scripts/pg-cluster.sh start "$pgdir")
export SHOPSENSE_TEST_PG_URL

echo "== browser (Debian chromium for the Playwright tests)"
scripts/browser-deps.sh

echo "== pytest"
$V/pytest "$@"
