#!/usr/bin/env bash
# Run the python workload uninterrupted, then run it again, checkpoint it at a
# random moment (which kills it), restore it, and compare the whole output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
roundtrip python 1
