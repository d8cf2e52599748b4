#!/usr/bin/env bash
# The per-process settings careful programs check after a restore: the root
# is a child subreaper with no-new-privileges, transparent huge pages
# disabled and a raised oom_score_adj; its child has a parent-death signal.
# Run uninterrupted, then twice: dump the tree once it has printed a random
# number of lines (which kills it), restore, compare the whole output (every
# step prints each setting as the processes read it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("4 30" "30 55")
tree_roundtrip attributes 2
log "PASS"
