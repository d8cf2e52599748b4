#!/usr/bin/env bash
# A tree one member of which holds what stasis cannot checkpoint yet: the
# child a TCP socket listening on 127.0.0.1 with a connection waiting in its
# backlog, or a huge page memfd (a file
# without a name on hugetlbfs), or the grandchild a fanotify group.
# `stasis dump` of the root must exit 1 with exactly one stderr line naming
# that process, that fd and the kind of object, write no image, and leave
# every process of the tree running (not stopped, not traced); the tree then
# finishes normally with the same output as an uninterrupted run (the holder
# still uses its socket, memfd or fanotify group at the end).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

# refused MODE KIND_REGEX WHO
refused() {
    local mode=$1 kind=$2 who=$3 name=unsupported_$1 dir=$T/$1-run hp hf p bad=0
    tree_run_reference "$name" "$T/$mode-ref"
    tree_start "$name" "$dir"
    wait_holder "$dir" "$mode (its $who)"
    hp=$HOLDER_PID hf=$HOLDER_FD
    random_sleep 100 1200
    mapfile -t TREE_PIDS < <(tree_pids "$WL_PID")
    log "$mode: dumping the tree of pid $WL_PID (${#TREE_PIDS[@]} processes); the $who, pid $hp, holds fd $hf"
    stasis "dump-$mode" 60 dump --pid "$WL_PID" --dir "$dir/img"
    check_error "$mode: dump of a tree whose $who holds $kind" 1 "^stasis: process $hp: fd $hf is .*($kind)" || bad=1
    check_no_image "$dir" "$mode"
    for p in "${TREE_PIDS[@]}"; do
        if ! alive "$p"; then
            check_fail "$mode: process $p of the tree is gone after the refused dump"
        elif ! not_traced_or_stopped "$p"; then
            check_fail "$mode: process $p of the tree is stopped or traced after the refused dump (state $(proc_state "$p"))"
        fi
    done
    tree_go "$dir"
    wait_child "$WL_PID" 60 || fail "$mode: the tree did not finish within 60 s after the refused dump"
    if ((CHILD_RC != 0)); then
        check_fail "$mode: the root exited $CHILD_RC after the refused dump: $(tail -3 "$dir/out.err")"
        return
    fi
    compare_outputs "$T/$mode-ref/out" "$dir/out" "$mode: the tree after the refused dump"
    ((bad == 0)) && log "ok: $mode: refused, and the tree ran on to the same end"
}

refused socket socket child
refused hugetlb hugetlbfs child
refused fanotify fanotify grandchild
finish
