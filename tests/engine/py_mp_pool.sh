#!/usr/bin/env bash
# A Python multiprocessing.Pool computation (three forked workers fed through
# pipes, a semaphore in /dev/shm that is already unlinked, three handler
# threads in the parent): run uninterrupted, then twice: dump the whole tree
# once it has printed a random number of lines (which kills it), restore,
# compare the whole output. Every step checks that the workers are the same
# processes (pids kept) and that each worker's own task count goes on.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 15" "20 55")
tree_roundtrip py_mp_pool 2
log "PASS"
