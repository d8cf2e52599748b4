#!/usr/bin/env bash
# A parent and a child sharing one fd table (clone with CLONE_FILES) cannot
# be restored sharing it: `stasis dump` refuses in one line naming both,
# writes no image, and both run on to the same end as an uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
tree_run_reference clone_files "$T/ref"
dir=$T/run
tree_start clone_files "$dir"
child=$(descendants "$WL_PID" | head -n 1)
[[ -n $child ]] || fail "the workload (pid $WL_PID) has no child"
stasis dump 60 dump --pid "$WL_PID" --dir "$dir/img"
check_error "dump of processes sharing an fd table" 1 \
    "^stasis: processes ($WL_PID and $child|$child and $WL_PID) share one fd table \(clone with CLONE_FILES\)"
check_no_image "$dir" "the shared fd table"
for p in "$WL_PID" "$child"; do
    not_traced_or_stopped "$p" || check_fail "process $p is stopped or traced after the refused dump"
done
wait_child "$WL_PID" 60 || fail "the workload did not finish within 60 s after the refused dump"
((CHILD_RC == 0)) || fail "the workload exited $CHILD_RC after the refused dump: $(tail -3 "$dir/out.err")"
compare_outputs "$T/ref/out" "$dir/out" "the workload after the refused dump"
finish
