#!/usr/bin/env bash
# A batch job with --checkpoint-interval commits generations, is preempted by
# a job of a higher partition, is requeued by Slurm, restored from the
# generation AdminComment names, and ends with the output of an
# uninterrupted run.
source "$(dirname "${BASH_SOURCE[0]}")/plugin_lib.sh"

start_stasis_cluster -- --grace-time 5
run_checkpointed_bash_loop preempt 400
dir=$DIR job=$JOB periodic=$PERIODIC

preempt_and_resume "$dir" "$job" "$periodic"
log "PASS: preempted, requeued, resumed from $AT_PREEMPTION, same output"
