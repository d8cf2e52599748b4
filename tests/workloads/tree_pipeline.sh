#!/bin/bash
# tree_pipeline.sh: pipelines run by a bash script, for checkpoint/restart
# tests of process trees.
#
# usage: bash tree_pipeline.sh WORKLOAD_DIR c N [BATCH [SLEEP_MS [GO_FILE]]]
#        bash tree_pipeline.sh WORKLOAD_DIR seq N [EVERY [GO_FILE]]
#
# "c":   tree_pipeline producer N | tree_pipeline filter | tree_pipeline consumer
#        (see tree_pipeline.c), then the exit status of each stage; with
#        GO_FILE, only once that file exists (so that a test can dump the
#        script after the pipeline without racing its end).
# "seq": seq 1 N | a `while read` loop in a subshell that checks the sequence,
#        keeps a running sum, and every EVERY lines prints a line (with a
#        value computed by expr in a command substitution) and sleeps 0.1 s
#        in /bin/sleep; seq stays blocked on the full pipe for the first part
#        of the run; the statuses come once GO_FILE exists, as in "c".
# Only the last stage of a pipeline and, after it, the script write stdout.
# The output depends only on the arguments.
set -u
W=${1:?usage: tree_pipeline.sh WORKLOAD_DIR c|seq N ...}
mode=${2:?usage: tree_pipeline.sh WORKLOAD_DIR c|seq N ...}
N=${3:?usage: tree_pipeline.sh WORKLOAD_DIR c|seq N ...}

# report_statuses NAME STATUS...: the stages' exit statuses, then the
# result line of pipeline NAME; true (the script's exit status) when every
# stage exited 0.
report_statuses() {
    local name=$1 ok=ok s
    shift
    echo "stage statuses $*"
    for s in "$@"; do
        ((s == 0)) || ok=FAILED
    done
    echo "result $name pipeline $ok"
    [[ $ok == ok ]]
}

# wait_for_file FILE: wait (at most 120 s) until FILE exists; no-op without FILE.
wait_for_file() {
    local file=$1 tries=2400
    [[ -n $file ]] || return 0
    while [[ ! -e $file ]] && ((tries-- > 0)); do
        /bin/sleep 0.05
    done
    [[ -e $file ]] || { echo "no $file within 120 s" >&2; exit 3; }
}

case $mode in
c)
    echo "bash pipeline start n=$N"
    "$W/tree_pipeline" producer "$N" | "$W/tree_pipeline" filter | "$W/tree_pipeline" consumer "${4:-4}" "${5:-2}"
    statuses=("${PIPESTATUS[@]}")
    wait_for_file "${6:-}"
    report_statuses bash "${statuses[@]}"
    ;;
seq)
    every=${4:-400}
    echo "seq pipeline start n=$N every=$every"
    seq 1 "$N" | {
        expect=1 sum=0 count=0 errors=0
        while read -r i; do
            if [[ $i != "$expect" ]]; then
                echo "expected $expect, got $i"
                errors=$((errors + 1))
            fi
            expect=$((i + 1))
            count=$((count + 1))
            sum=$(((sum * 31 + i) % 1000003))
            if ((i % every == 0)); then
                # shellcheck disable=SC2003 # a child program in a command substitution
                sq=$(expr "$i" \* "$i" % 9973)
                echo "at $i sum=$sum sq=$sq"
                /bin/sleep 0.1
            fi
        done
        echo "loop end count=$count last=$((expect - 1)) errors=$errors sum=$sum"
        ((errors == 0 && count == N))
    }
    statuses=("${PIPESTATUS[@]}")
    wait_for_file "${5:-}"
    report_statuses seq "${statuses[@]}"
    ;;
*)
    echo "tree_pipeline.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
