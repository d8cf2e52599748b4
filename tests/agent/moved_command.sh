#!/usr/bin/env bash
# The job's next run starts from a copy of its script on another path (Slurm
# gives each node its own copy in its spool): bash holds its script open, and
# the restored bash must read the rest of it from the new copy. The job is
# checkpointed (stasis checkpoint), its agent killed, the script moved; a
# `stasis run` of the moved script resumes the job, says where the command
# is now, and the whole output equals an uninterrupted run's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

mkdir -p "$T/first" "$T/second"
cat >"$T/first/job.sh" <<SCRIPT
#!/bin/bash
# Read by bash as it runs: a line at a time, so the rest comes from the file.
for ((i = 1; i <= 120; i++)); do
    "$WORKLOADS/tree_step_helper" "\$i" "\$((i * 7 % 1009))" 30
    echo "line \$i"
done
echo "result lines=120"
SCRIPT
chmod 0755 "$T/first/job.sh"
run_reference_job /bin/bash "$T/first/job.sh"
JOB_CMD=("$T/first/job.sh")
start_job first --interval 0
wait_lines "$T/run/out" 20 60 "$JOB_PID"
stasis ask 60 checkpoint --dir "$ROOT"
expect_ok "stasis checkpoint"
kill -KILL "$AGENT_PID"
wait_agent 20
end_released_job 10

mv "$T/first/job.sh" "$T/second/job.sh"
JOB_CMD=("$T/second/job.sh")
resume_job --interval 0
grep -q "^stasis run: the command is $T/second/job.sh now, not $T/first/job.sh: the restored job reads it there$" "$AGENT_LOG" ||
    fail "the resumed run did not say that the command moved: $(head -n 3 "$AGENT_LOG")"
log "PASS"
