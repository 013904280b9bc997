#!/usr/bin/env bash
# Installs what is missing, builds, and runs the quickstart search (configs/quickstart.json):
# Fashion-MNIST MLPs tuned by Bayesian optimization, 2 groups x 2 folds on 5 MPI ranks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Open MPI refuses root without these; the quickstart's 5 ranks oversubscribe a small machine.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Under mpirun stderr is not a terminal: a progress line every 5 s instead of a live one.
mpirun -np 5 ./build/src/cli/hpopt run configs/quickstart.json --force --progress-interval 5
./build/src/cli/hpopt report runs/quickstart
