#!/usr/bin/env bash
# stasis dump --keep-output: the process's stdout and stderr files are kept in
# the image. A scheduler empties them before a requeued job is restored; the
# restore puts them back first, so the restored output equals an
# uninterrupted run's, with no hole. `stasis verify` checks the kept chunks,
# and a kept file that is no longer a regular file fails the restore with
# one line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"

run_reference single "$T/ref"
start_and_dump single "$T/run" --keep-output
stasis verify 30 verify --dir "$T/run/img"
expect_ok "verify"
grep -q 'kept output verified$' "$LOGS/verify.out" || fail "verify did not check the kept output: $(cat "$LOGS/verify.out")"
cp -a "$T/run/img" "$T/img-damaged"
cp -a "$T/run/img" "$T/img-again"
: >"$T/run/out"
: >"$T/run/out.err"
log "emptied the output files, as a scheduler does on a requeued start"
restore_and_check single "$T/run" "$T/ref" "restored into emptied output files"

for f in "$T/img-damaged"/output-1-*.bin; do
    [[ -s $f ]] || continue
    printf '\xa5' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc status=none
    damaged=${f##*/}
done
[[ -n ${damaged:-} ]] || fail "the image keeps no data for stdout: $(ls "$T/img-damaged")"
stasis verify-damaged 30 verify --dir "$T/img-damaged"
check_error "verify of damaged kept output" 1 "\(${damaged//./\\.} offset [0-9]+\)"

rm "$T/run/out"
mkdir "$T/run/out"
stasis restore-directory 30 restore --dir "$T/img-again"
check_error "restore when the output file is now a directory" 1 \
    "cannot put back the job's output file $T/run/out: it is no longer a regular file"
finish
