#!/usr/bin/env bash
# The parts of a generation, without a scheduler: the job's agent runs a
# script that starts one step through a launcher (step_launcher, standing
# in for srun, started anew at restore: --relaunch), and the test plays
# slurmstepd, starting the step's task beside the job under
# `stasis run --step-of ROOT --part PID:0:1`. Every periodic generation
# holds the task's part; at SIGTERM to the job's agent the task is frozen,
# its part written, the job's image committed with it, and the task ended
# with the job. The job's next run restores the script, the relaunched
# launcher asks for its task again, the test starts it with
# `--resume-part`, and the task continues: its whole output, and the job's,
# equal an uninterrupted run's. A registration whose launcher is no process
# of the job is not asked for a part.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

SPOOL=$T/spool
mkdir -p "$SPOOL" "$T/ref"
launcher=$(realpath "$WORKLOADS/step_launcher")
task_cmd=("$WORKLOADS/single_thread" 300 20)
run_timeout 120 "$T/ref/task.out" "$T/ref/task.err" "${task_cmd[@]}" || fail "reference run of the task failed"
printf 'start\nstep exit 0\nend\n' >"$T/ref/out"
JOB_CMD=(bash -c 'echo start; "$0" "$1"; echo "step exit $?"; echo end' "$launcher" "$SPOOL")

# The test's slurmstepd: each launch request starts the task's agent, and
# its exit status goes back to the launcher.
serve_launches() {
    local request pid resume args
    while :; do
        for request in "$SPOOL"/launch.*; do
            [[ -e $request ]] || continue
            pid=${request##*.}
            mv "$request" "$SPOOL/started.$pid"
            resume=$(sed -n 's/^resume //p' "$SPOOL/started.$pid")
            args=(--step-of "$ROOT" --part "$pid:0:1" --log-level debug)
            [[ -z $resume ]] || args+=(--resume-part "$resume")
            (
                (clean_exec "$STASIS" run "${args[@]}" -- "${task_cmd[@]}") >>"$T/task.out" 2>>"$LOGS/task-$pid.err" </dev/null
                echo $? >"$SPOOL/.done.$pid" && mv "$SPOOL/.done.$pid" "$SPOOL/done.$pid"
            ) &
        done
        sleep 0.05
    done
}
serve_launches &
STARTED_PIDS+=("$!")

start_job job --interval 2s --keep-output --relaunch "$launcher"
# A task of a launcher that is not in the job: never asked.
mkdir -p "$ROOT/tasks"
echo '{"launcher":1,"rank":0,"host":"elsewhere","agent":1,"step":"9"}' >"$ROOT/tasks/launcher-1.task-0"
wait_lines "$T/task.out" 60 60 "$AGENT_PID"
deadline=$((SECONDS + $(budget 30)))
until ls "$ROOT"/gen-*/parts.json >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "no generation with the task's part in 30 s: $(tail -n 3 "$AGENT_LOG")"
    sleep 0.1
done
log "periodic generations hold the task's part"

kill -TERM "$AGENT_PID"
wait_agent 30
expect_agent_rc "$EXIT_REQUEUE" "SIGTERM"
stop_line=$(grep '^stasis run: gen-[0-9]* committed (SIGTERM' "$AGENT_LOG") ||
    fail "the job's agent committed nothing at SIGTERM: $(tail -n 3 "$AGENT_LOG")"
[[ $stop_line == *"with the parts of 1 step task(s), frozen within "* ]] ||
    fail "the generation at SIGTERM does not hold the task's part: $stop_line"
gen=$(sed -n 's/^stasis run: \(gen-[0-9]*\) committed (SIGTERM.*/\1/p' "$AGENT_LOG")
[[ -d $ROOT/$gen/parts/launcher-$(ls "$SPOOL" | sed -n 's/^started\.//p' | head -n 1).task-0 ]] ||
    fail "$gen has no part named for the launcher: $(ls "$ROOT/$gen/parts")"
python3 -c 'import json, sys; p = json.load(open(sys.argv[1]))["parts"]; sys.exit(not (len(p) == 1 and p[0]["step"] == "1" and p[0]["rank"] == 0))' "$ROOT/$gen/parts.json" ||
    fail "$gen/parts.json does not list the one task: $(cat "$ROOT/$gen/parts.json")"
stasis verify 20 verify --dir "$ROOT/$gen"
expect_ok "verify of $gen and its part"
grep -q '/parts/launcher-[0-9]*\.task-0: OK' "$LOGS/verify.out" || fail "verify did not check the part: $(cat "$LOGS/verify.out")"
deadline=$((SECONDS + $(budget 20)))
until ls "$SPOOL"/done.* >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "the task's agent did not end with the job"
    sleep 0.05
done
log "at SIGTERM: $gen committed with the task's part; the task ended with the job"
# The relaunched launcher has its old pid again (the restore keeps pids):
# the ended task's status is not its task's.
rm -f "$SPOOL"/done.*

resume_job --interval 2s --keep-output --relaunch "$launcher"
resumed=$(cat "$SPOOL"/started.* | grep -c '^resume ') || true
((resumed == 1)) || fail "the relaunched launcher did not ask to resume its task ($resumed)"
grep -q "^stasis run: resumed $ROOT/$gen/parts/launcher-.*\.task-0 as pid " "$LOGS"/task-*.err ||
    fail "the task was not resumed from its part: $(cat "$LOGS"/task-*.err | tail -n 3)"
: >"$T/task.out.err"
compare_outputs "$T/ref/task.out" "$T/task.out" "the step's task across the resume"
log "PASS"
