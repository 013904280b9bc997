#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quickstart search (configs/quickstart.json).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
./build/src/cli/hpopt run configs/quickstart.json --force
