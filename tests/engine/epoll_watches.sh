#!/usr/bin/env bash
# epoll watches whose fd number no longer names their file: one under a
# number its process closed (a dup keeps the file), one that a child added to
# an epoll shared with its parent, whose number the parent reused for another
# pipe. Run uninterrupted, then twice: dump the tree once it has printed a
# random number of lines (which kills it), restore, compare the whole output
# (every step prints the watched numbers as the kernel lists them, and each
# process waits on its epoll for the other's data).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 15" "20 55")
tree_roundtrip epoll_watches 2
grep -q '^the shared epoll watches fd [0-9]*, which here is another pipe$' "$T/epoll_watches-ref/out" ||
    fail "the workload did not say which fd its shared epoll watches: $(sed -n 2p "$T/epoll_watches-ref/out")"
log "PASS"
