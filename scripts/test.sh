#!/usr/bin/env bash
# Sets up .venv with keepwild and its test dependencies, checks the one-way layering of the
# package, then runs the whole test suite on both cores. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-venv.sh test
# The OCR tests render Chinese text, which needs a font with CJK glyphs.
if ! fc-list 2>/dev/null | grep -qi -E "wqy|noto sans cjk"; then
  echo "setup: installing a CJK font for the OCR tests (Debian fonts-wqy-microhei)" >&2
  if command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null
  fi
fi
# The store and API tests run on PostgreSQL too: the one at KEEPWILD_TEST_POSTGRES_URL, or on
# 127.0.0.1:5432, or a throwaway server the tests start from the local binaries. With none of
# these, install the binaries (Debian's postgresql).
if [ -z "${KEEPWILD_TEST_POSTGRES_URL:-}" ] && ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null \
   && ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup: no PostgreSQL found; installing Debian's postgresql for a throwaway test server" >&2
  if command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
.venv/bin/lint-imports
.venv/bin/python -m pytest -n 2 "$@"
