#!/bin/bash
# tree_bash_loop.sh: a batch script mid-way through a loop, for
# checkpoint/restart tests of process trees.
#
# usage: bash tree_bash_loop.sh WORKLOAD_DIR WORKDIR [STEPS]
#
# Each step of a `for` loop runs child programs: /bin/sleep, expr (its output
# goes through a file, its exit status through $?; it exits 1 when the
# result is 0) and tree_step_helper (which prints a line of its own on the
# shared stdout and exits with a status the script checks), and reads a word
# from a file the script keeps open on fd 3. The script keeps counters, a
# string, an array, an associative array and a word-list loop position, and
# prints them on every step and at the end. It uses no command substitution and no pipe, so
# every process of the tree only has regular files open. The output depends
# only on the arguments.
#
# Each step writes files of its own name and never rewrites one: a restore
# from an older generation (the job's files are not rolled back with it)
# reads back what that step wrote, as it would have then.
set -u
W=${1:?usage: tree_bash_loop.sh WORKLOAD_DIR WORKDIR [STEPS]}
D=${2:?usage: tree_bash_loop.sh WORKLOAD_DIR WORKDIR [STEPS]}
N=${3:-40}
cd "$D" || exit 1

echo "bash_loop start steps=$N"
acc=1
trail=""
declare -a seen=()
declare -A rc_count=()
colours="red green blue"
zero_results=0
# A word list read one line per step through fd 3: its offset must survive.
for ((k = 1; k <= N + 5; k++)); do
    echo "word$((k * k % 97))"
done >words.txt
exec 3<words.txt

for ((i = 1; i <= N; i++)); do
    /bin/sleep 0.05
    sleep_rc=$?
    # expr exits 1 when the result is 0: $? must come through a restore.
    # shellcheck disable=SC2003 # the point is to run a child program
    expr \( "$acc" \* 31 + "$i" \* 7 \) % 1009 >"expr.$i"
    expr_rc=$?
    read -r acc <"expr.$i"
    # shellcheck disable=SC2003
    expr "$acc" % 4 >"mod.$i"
    mod_rc=$?
    read -r mod <"mod.$i"
    ((mod_rc == 1)) && zero_results=$((zero_results + 1))
    read -r word <&3
    "$W/tree_step_helper" "$i" "$acc" 30
    helper_rc=$?
    rc_count[$helper_rc]=$((${rc_count[$helper_rc]:-0} + 1))
    seen+=("$helper_rc")
    for c in $colours; do
        # Stop the word list part-way on some steps.
        [[ $c == blue && $((i % 3)) == 0 ]] && break
        trail="${trail:0:40}${c:0:1}"
    done
    echo "step $i acc=$acc sleep_rc=$sleep_rc expr_rc=$expr_rc mod=$mod mod_rc=$mod_rc word=$word helper_rc=$helper_rc last_colour=$c trail=$trail"
done

counts=""
for k in 0 1 2 3 4; do
    counts+=" $k:${rc_count[$k]:-0}"
done
echo "seen ${#seen[@]}: ${seen[*]}"
echo "helper exit counts:$counts"
echo "result acc=$acc zero_results=$zero_results steps=$i trail=$trail"
