#!/usr/bin/env bash
# An Open MPI job under the agent: `stasis run --interval 1s -- mpirun -np 2
# mpi_steps` is checkpointed periodically, then preempted as Slurm does
# (SIGCONT and SIGTERM to the agent's process group): a generation is
# committed before the job can die, stasis run exits 75, and a second
# `stasis run` resumes the whole tree (mpirun and its ranks) from it, goes on
# checkpointing it, and ends with the output of an uninterrupted run.
# Skipped (exit 77) where Open MPI is not installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
if [[ ! -x $WORKLOADS/mpi_steps ]] || ! command -v mpirun >/dev/null; then
    echo "SKIP: Open MPI is not installed (deploy/install-deps.sh installs openmpi-bin and libopenmpi-dev)"
    exit 77
fi

run_reference_job mpirun --oversubscribe -np 2 "$WORKLOADS/mpi_steps" 250 20
start_job --own-group mpi --interval 1s --keep 2
wait_generation "$ROOT" 2 60
alive "$JOB_PID" || fail "the job finished before the preemption; make it run longer"
log "preempting process group $AGENT_PID at line $(line_count "$T/run/out")"
kill -CONT -- "-$AGENT_PID"
kill -TERM -- "-$AGENT_PID"
wait_agent 60
expect_agent_rc "$EXIT_REQUEUE" "preemption of the MPI job"
wait_gone "$JOB_PID" 10 || fail "mpirun (pid $JOB_PID) still runs after stasis run exited"
(($(log_lines '^stasis run: gen-[0-9]+ committed \(SIGTERM to stasis\): ') == 1)) ||
    fail "no log line for the checkpoint on the preemption: $(tail -5 "$AGENT_LOG")"
verify_generations "$ROOT"
log "ok: $(cat "$ROOT/LATEST") committed on the preemption ($(line_count "$T/run/out") lines out); $(log_lines '^stasis run: gen-[0-9]+ committed \(periodic\)') periodic before"

resume_job --interval 1s --keep 2
(($(log_lines '^stasis run: gen-[0-9]+ committed \(periodic\)') >= 1)) ||
    fail "the resumed MPI job was not checkpointed again: $(tail -5 "$AGENT_LOG")"
log "PASS"
