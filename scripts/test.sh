#!/usr/bin/env bash
# Sets up .venv with keepwild and its test dependencies, checks the one-way layering of the
# package, then runs the whole test suite on both cores. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-venv.sh test
.venv/bin/lint-imports
.venv/bin/python -m pytest -n 2 "$@"
