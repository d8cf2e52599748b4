#!/usr/bin/env bash
# An Open MPI job on one node, `mpirun -np 2 mpi_steps`: each step a ring of
# messages over Open MPI's shared-memory transport and a collective. Run
# uninterrupted, then twice: dump the whole tree from mpirun once it has
# printed a random number of lines (which kills it), restore, compare the
# whole output. The ranks check their pids and their peers after every
# step. Skipped (exit 77) where Open MPI is not installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
if [[ ! -x $WORKLOADS/mpi_steps ]] || ! command -v mpirun >/dev/null; then
    echo "SKIP: Open MPI is not installed (deploy/install-deps.sh installs openmpi-bin and libopenmpi-dev)"
    exit 77
fi
TREE_ROUND_LINES=("5 40" "60 150")
tree_roundtrip mpi 2
log "PASS"
