#!/usr/bin/env bash
# Run the memory_kinds workload uninterrupted, then run it again, checkpoint it at a
# random moment (which kills it), restore it, and compare the whole output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
roundtrip memory_kinds 1
