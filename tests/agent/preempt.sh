#!/usr/bin/env bash
# A scheduler preempts: SIGCONT, then SIGTERM to every process of the job at
# once (MODE job), or to the agent's whole process group, the agent included
# (MODE group, as Slurm does). A generation is committed before the job can
# die (the guard holds the signal; with no interval, it is the only one),
# stasis run exits 75, and a second `stasis run` on the same ROOT resumes the
# job: its whole output equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

mode=${3:?usage: $0 STASIS_BINARY WORKLOAD_DIR job|group}
TEST_NAME=preempt_$mode
case $mode in
    job) run_reference_job "$WORKLOADS/threads" 600 4 15 ;;
    group) run_reference_job "$PYTHON" "$WORKLOADS/py_loop.py" 400 100 20 ;;
    *) fail "unknown mode $mode" ;;
esac

if [[ $mode == job ]]; then
    start_job preempt --interval 0
    why='SIGTERM to the job'
else
    start_job --own-group preempt --interval 0
    why='SIGTERM to stasis'
fi
wait_lines "$T/run/out" 3 60 "$JOB_PID"
random_sleep 200 2500
alive "$JOB_PID" || fail "the job finished before the preemption; make it run longer"

if [[ $mode == job ]]; then
    mapfile -t job < <(descendants "$AGENT_PID")
    log "preempting the job's processes ${job[*]}"
    kill -CONT "${job[@]}"
    kill -TERM "${job[@]}"
else
    log "preempting process group $AGENT_PID"
    kill -CONT -- "-$AGENT_PID"
    kill -TERM -- "-$AGENT_PID"
fi
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "preemption"
wait_gone "$JOB_PID" 10 || fail "the job (pid $JOB_PID) still runs after stasis run exited"

[[ $(committed_generations "$ROOT") == gen-000001 ]] ||
    fail "expected exactly gen-000001, committed on the preemption: $(ls -a "$ROOT")"
[[ $(cat "$ROOT/LATEST") == gen-000001 ]] || fail "LATEST does not name gen-000001"
(($(log_lines "^stasis run: gen-000001 committed \($why\)") == 1)) ||
    fail "no log line for the checkpoint on $why: $(cat "$AGENT_LOG")"
verify_generations "$ROOT"
log "ok: gen-000001 committed on the preemption, before the job ended ($(line_count "$T/run/out") lines out)"

resume_job --interval 0
log "PASS"
