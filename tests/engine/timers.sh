#!/usr/bin/env bash
# POSIX timers on every clock programs use (REALTIME, MONOTONIC, process and
# thread CPU time, BOOTTIME with SIGEV_NONE, one never armed, a gap in the
# ids) and the interval timers (ITIMER_VIRTUAL, ITIMER_PROF, alarm). Run the
# timers workload uninterrupted, then twice: dump it once it has printed a
# random number of lines (which kills it), restore, compare the whole
# output. After every step the workload checks that the ids it holds are
# the ones /proc/self/timers lists, with their signals, values,
# notification and clocks, that every timer has its interval and a
# plausible time left, and that every periodic timer fired again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" "$@"
DUMP_AT_LINE="3 60" roundtrip timers 2  # of 122 lines: room for a slow dump
