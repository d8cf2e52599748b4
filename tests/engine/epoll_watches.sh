#!/usr/bin/env bash
# epoll watches whose fd number no longer names their file: one under a
# number its process closed (a dup keeps the file), one that a child added to
# an epoll shared with its parent, whose number the parent reused for another
# pipe. Run uninterrupted, then twice: dump the tree once it has printed a
# random number of lines (which kills it), restore, compare the whole output
# (every step prints the watched numbers as the kernel lists them, and each
# process waits on its epoll for the other's data). Then the child alone,
# whose epoll watches a file only its parent holds, is refused.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
TREE_ROUND_LINES=("3 15" "20 55")
tree_roundtrip epoll_watches 2
grep -q '^the shared epoll watches fd [0-9]*, which here is another pipe$' "$T/epoll_watches-ref/out" ||
    fail "the workload did not say which fd its shared epoll watches: $(sed -n 2p "$T/epoll_watches-ref/out")"

# The child alone: its shared epoll also watches a pipe end only the parent
# holds, so the dump is refused in one line; both run on to the same end.
dir=$T/child-only
tree_start epoll_watches "$dir"
child=$(descendants "$WL_PID" | head -n 1)
[[ -n $child ]] || fail "the workload (pid $WL_PID) has no child"
stasis dump-child 60 dump --pid "$child" --dir "$dir/img"
check_error "dump of the child alone" 1 \
    "^stasis: process $child: the epoll at fd [0-9]+ watches fd [0-9]+, whose file no process of the checkpointed tree holds open"
check_no_image "$dir" "the child alone"
for p in "$WL_PID" "$child"; do
    not_traced_or_stopped "$p" || check_fail "process $p is stopped or traced after the refused dump"
done
wait_child "$WL_PID" 60 || fail "the workload did not finish within 60 s after the refused dump"
((CHILD_RC == 0)) || fail "the workload exited $CHILD_RC after the refused dump: $(tail -3 "$dir/out.err")"
compare_outputs "$T/epoll_watches-ref/out" "$dir/out" "the workload after the refused dump of its child"
finish
