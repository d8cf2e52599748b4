# shellcheck shell=bash
# clean-exec.sh, sourced: defines clean_exec.
#
# clean_exec CMD...: exec CMD with only fds 0-2 open. stasis refuses fds it
# cannot restore (pipes, sockets), so nothing that whoever started us left
# open may leak into a program that is to be checkpointed.
clean_exec() {
    local fd
    for fd in /proc/"$BASHPID"/fd/*; do
        fd=${fd##*/}
        ((fd > 2)) && eval "exec $fd>&-"
    done
    exec "$@"
}
