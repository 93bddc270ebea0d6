#!/usr/bin/env bash
# Lint, types and layer contracts (`make lint`; also the first step of `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."
V=.venv/bin

echo "== ruff"
$V/ruff check src tests benchmarks scripts
echo "== mypy --strict src"
$V/mypy src
echo "== import-linter"
$V/lint-imports
