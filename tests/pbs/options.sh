#!/usr/bin/env bash
# qsub -c on a real OpenPBS with the stasis hooks: every form PBS defines is
# accepted, with c=M raised to the site's min_interval where it is shorter;
# a bad value and a checkpointed job on several chunks are refused with one
# line that qsub prints, and nothing is queued for them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_stasis_pbs min_interval=3m
dir=$(job_dir options)
printf '#!/bin/bash\ntrue\n' >"$dir/job.sh"

# accepted VALUE SHOWN: qsub -c VALUE is queued (held, so it never runs)
# and qstat shows Checkpoint = SHOWN.
accepted() {
    local id
    id=$(submit -h -c "$1" -o "$dir/out" -j oe "$dir/job.sh")
    [[ $(job_attr "$id" Checkpoint) == "$2" ]] ||
        fail "qsub -c $1: Checkpoint is '$(job_attr "$id" Checkpoint)', not '$2'"
    log "qsub -c $1: accepted, Checkpoint = $2"
}

# refused EXPECTED QSUB_ARGS...: qsub fails, nothing is queued, and what it
# prints contains EXPECTED: qsub's own line for a -c value it checks
# itself, the hook's one line for what only stasis refuses.
refused() {
    local expected=$1 out before after
    shift
    before=$(pbs_cmd qselect -x | wc -l)
    if out=$(cd "$T" && as_user "$STASIS_TEST_USER" qsub "$@" "$dir/job.sh" 2>&1); then
        fail "qsub $* was accepted ($out)"
    fi
    after=$(pbs_cmd qselect -x | wc -l)
    ((after == before)) || fail "qsub $* was refused but a job was queued"
    grep -qF -- "$expected" <<<"$out" || fail "qsub $*: '$expected' not in: $out"
    log "qsub $*: refused: $(grep -F -- "$expected" <<<"$out")"
}

accepted n n
accepted s s
accepted c c
accepted w w
accepted c=10 c=10
accepted w=5 w=5
accepted c=1 c=3     # raised to min_interval, 3 minutes
accepted w=2 w=3

# qsub checks -c's form itself (the hook checks it again for submissions
# that do not come through qsub: tests/pbs/unit).
refused 'qsub: illegal -c value' -c c=5x
refused 'qsub: stasis: bad -c value "c=0": expected n, s, c, c=<minutes>, w or w=<minutes>' -c c=0
refused 'qsub: illegal -c value' -c x
refused 'qsub: illegal -c value' -c u
refused 'stasis: a checkpointed job on several chunks (select=2:ncpus=1) is not supported yet' -c c -l select=2:ncpus=1
refused 'stasis: a checkpointed job on several nodes (nodes=2) is not supported yet' -c s -l nodes=2
# Without -c, or with -c n, stasis has nothing to say about the job.
accepted n n
id=$(submit -h -l select=2:ncpus=1 -o "$dir/out" -j oe "$dir/job.sh")
log "a job on two chunks without -c is queued ($id)"
log "PASS: qsub -c accepted and refused as PBS and the site define it"
