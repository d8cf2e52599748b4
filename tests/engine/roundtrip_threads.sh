#!/usr/bin/env bash
# Run the threads workload uninterrupted, then twice more, each time
# checkpointing it at a random moment (threads in futex, nanosleep with live
# vector registers, pthread_join), restoring it and comparing the whole output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
roundtrip threads 2
