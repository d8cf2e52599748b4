#!/usr/bin/env bash
# A tree that waits for its members: root, child and grandchild computing in
# steps, the child waiting for the grandchild and the root for the child by
# the pids fork() returned, two zombies reaped late, a session and a process
# group of the tree's own. Each is checked on every step (getppid, getpgrp,
# getsid, getpid). Run uninterrupted, then twice: dump the whole tree at a
# random moment (which kills it), restore, compare the whole output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
# The root's own step lines (3-106; the children's follow at its end):
# round 1 while the child and grandchild compute, round 2 mostly after.
TREE_ROUND_LINES=("5 40" "40 95")
tree_roundtrip tree_wait 2
log "PASS"
