#!/usr/bin/env bash
# Signals pending in a tree: the root holds a blocked SIGUSR1 and two queued
# SIGRTMIN from one child (with their values) and the SIGCHLD of another
# (a zombie); that child holds a blocked SIGUSR2 from the root. Run
# uninterrupted, then twice: dump the whole tree at a random moment (which
# kills it), restore, compare the whole output (each signal's code, value,
# status and sender as the handlers see them).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
tree_roundtrip signals 2
log "PASS"
