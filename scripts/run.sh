#!/usr/bin/env bash
# Sets up .venv with keepwild (building its C kernel) and runs the main job on the embedded
# default: the bundled demo listings in 12 languages, scanned with the shipped lexicon.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-venv.sh
.venv/bin/keepwild demo
