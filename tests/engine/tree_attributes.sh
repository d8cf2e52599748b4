#!/usr/bin/env bash
# The per-process settings careful programs check after a restore: the root
# is a child subreaper with no-new-privileges, transparent huge pages
# disabled, a raised oom_score_adj and a name of its own, and checks that
# /proc/self/cmdline and environ show its argument and environment area;
# its child has a parent-death signal.
# Run uninterrupted, then twice: dump the tree once it has printed a random
# number of lines (which kills it), restore, compare the whole output (every
# step prints each setting as the processes read it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("4 30" "30 55")
tree_roundtrip attributes 2
log "PASS"
