#!/usr/bin/env bash
# Run single_thread uninterrupted, then twice more, each time checkpointing it
# at a random moment (which kills it), restoring it and comparing the whole
# output with the uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
roundtrip single 2
