# Sourced by run.sh and test.sh: create .venv if needed and install keepwild into it.
# Usage: source scripts/setup-venv.sh [extra]   (extra: "test" installs the test dependencies)
if ! command -v python3 >/dev/null || ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "keepwild needs Python 3.11 or newer as python3" >&2
  exit 1
fi
if ! command -v cc >/dev/null && ! command -v gcc >/dev/null; then
  echo "setup: no C compiler found; installing gcc (the scanner's C kernel needs one)" >&2
  if command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq gcc python3-dev >/dev/null
  fi
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${1:+[$1]}"
