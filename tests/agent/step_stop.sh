#!/usr/bin/env bash
# A step of a larger job asks the job's agent to stop the job: the job's
# agent (`stasis run --dir ROOT`) runs the job's main program, and a step
# task runs beside it under `stasis run --step-of ROOT` (as the tasks of a
# Slurm job's srun steps do, on any node). A scheduler's SIGTERM to the step
# task is held there: the task stays alive, ROOT/STOP says why, and the
# job's agent checkpoints the job and exits 75 at once; a second
# `stasis run` on ROOT resumes the job (its whole output equals an
# uninterrupted run's) and clears ROOT/STOP. A step agent on a ROOT that
# does not exist refuses to start with one line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference_job "$WORKLOADS/threads" 600 4 15
start_job job --interval 0
wait_lines "$T/run/out" 3 60 "$JOB_PID"
job_agent=$AGENT_PID job_agent_log=$AGENT_LOG job=$JOB_PID

# The step task: a program that would end at once on SIGTERM.
start_agent step "$T/step.out" --step-of "$ROOT" --log-level debug -- sleep 600
wait_job 20
step_agent=$AGENT_PID step_task=$JOB_PID
wait_log_lines '^stasis run: started sleep as pid [0-9]+ on .*, a step task of the job' 1 20

log "SIGTERM to the step task $step_task"
kill -TERM "$step_task"
AGENT_PID=$job_agent AGENT_LOG=$job_agent_log JOB_PID=$job
wait_agent 30
expect_agent_rc "$EXIT_REQUEUE" "a step asked to stop the job"
asked=$(log_lines '^stasis run: a step of the job asks to stop it: SIGTERM to the job \(pid [0-9]+ on ')
((asked == 1)) ||
    fail "the job's agent did not say that a step asked to stop the job: $(tail -n 5 "$AGENT_LOG")"
committed=$(log_lines '^stasis run: gen-000001 committed \(stop asked by a step: SIGTERM to the job')
((committed == 1)) ||
    fail "no generation committed on the step's request: $(tail -n 5 "$AGENT_LOG")"
grep -q "^SIGTERM to the job (pid $step_task on " "$ROOT/STOP" || fail "ROOT/STOP says '$(cat "$ROOT/STOP")'"
alive "$step_task" || fail "the step task died: its SIGTERM was not held"
log "ok: the job's agent checkpointed and ended the job; the step task is still held"

kill -KILL "$step_task"   # the scheduler ends the rest of the job
wait_child "$step_agent" 20 || fail "the step's agent did not end with its task"

resume_job --interval 0
[[ ! -e $ROOT/STOP ]] || fail "ROOT/STOP is still there after the job's next run"

stasis no-root 20 run --step-of "$T/missing" -- true
check_error "--step-of a missing ROOT" 1 "$T/missing is not a checkpoint directory: no such directory"
log "PASS"
