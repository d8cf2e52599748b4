#!/usr/bin/env bash
# O_PATH descriptors (a directory used with *at() calls, a regular file, a
# symlink itself, a FIFO): run uninterrupted, then twice: dump once the
# program has printed a random number of lines (which kills it), restore,
# compare the whole output (every step uses each descriptor and checks it is
# still O_PATH and names the same file).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 15" "20 55")
tree_roundtrip path_fds 2
log "PASS"
