#!/usr/bin/env bash
# Sets up .venv with keepwild (building its C kernel) and runs the main job on the embedded
# default: loads the demo platform (listings in 12 languages scanned with the shipped lexicon,
# users of every role, reports, decisions) into the SQLite database in the user's data
# directory and prints a summary; `keepwild serve` then serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-venv.sh
.venv/bin/keepwild demo
