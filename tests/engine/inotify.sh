#!/usr/bin/env bash
# inotify: the inotify_watch workload watches a directory and, step by step,
# subdirectories of it (removing some watches, so that the watch descriptors
# have gaps), makes and deletes files there and prints every event with its
# watch descriptor. Run uninterrupted, then twice: dump it once it has
# printed a random number of lines (which kills it), restore, compare the
# whole output: the same watches under the same descriptors, the same
# events, the same next descriptor.
#
# Then what stasis refuses, each with exactly one stderr line naming the
# process, the fd and why, no image, and the workload running on to the
# same end as an uninterrupted run: a watched directory moved where stasis
# does not look for it (no path to its inode), and a watched directory
# removed with its events not read yet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

DUMP_AT_LINE="4 150" roundtrip inotify 2

# refused MODE REGEX: the workload in MODE, dumped once it announced its fd.
refused() {
    local mode=$1 re=$2 dir=$T/$1-run
    mkdir -p "$T/$mode-ref" "$dir"
    WL_CMD=("$WORKLOADS/inotify_watch" "$T/$mode-ref" 40 "$mode")
    run_built_reference "inotify $mode" "$T/$mode-ref"
    start_workload "$dir/out" "$WORKLOADS/inotify_watch" "$dir" 40 "$mode"
    wait_holder "$dir" "$mode"
    stasis "dump-$mode" 60 dump --pid "$WL_PID" --dir "$dir/img"
    check_error "$mode: dump of an inotify instance that cannot be restored" 1 \
        "^stasis: process $HOLDER_PID: fd $HOLDER_FD is an inotify instance $re"
    check_no_image "$dir" "$mode"
    if ! not_traced_or_stopped "$WL_PID"; then
        check_fail "$mode: the workload is gone, stopped or traced after the refused dump"
    fi
    wait_child "$WL_PID" 60 || fail "$mode: the workload did not finish within 60 s after the refused dump"
    ((CHILD_RC == 0)) || fail "$mode: the workload exited $CHILD_RC after the refused dump"
    compare_outputs "$T/$mode-ref/out" "$dir/out" "$mode: the workload after the refused dump"
}

refused moved "whose watch 1 is on inode [0-9]+ of device [0-9]+:[0-9]+, to which stasis finds no path"
refused removed "holding [0-9]+ bytes of events not read yet"
finish
