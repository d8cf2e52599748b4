#!/usr/bin/env python3
"""py_loop: a CPython workload with a large heap, for checkpoint/restart tests.

usage: py_loop.py [STEPS [HEAP_MB [SLEEP_MS]]]

Builds about HEAP_MB MiB of Python objects up front (a list of ints, a list
of strings and a dict), prints "built ...", then runs STEPS steps that each
fold a window of the heap into a running hash, change a few objects and
print "step N ...". Ends with a hash over the whole heap and "result ...".
The output depends only on the arguments (no hash(), no time, no pids).
"""
import sys
import time

MASK = (1 << 64) - 1
PRIME = 1099511628211


def main() -> int:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 120
    heap_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    sleep_ms = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    sys.stdout.reconfigure(line_buffering=True)
    print(f"py_loop start steps={steps} heap_mb={heap_mb} sleep_ms={sleep_ms}")

    # Roughly 40 bytes per int entry (object + list slot) and 70 per string
    # entry (str object + list slot + its share of the dict).
    n_ints = heap_mb * (1 << 20) * 6 // 10 // 40
    n_strs = heap_mb * (1 << 20) * 4 // 10 // 110
    ints = [(i * 2654435761) % 4294967291 for i in range(n_ints)]
    strs = [f"s{i:09d}-{(i * 40503) % 65536:05d}" for i in range(n_strs)]
    table = {}
    for i in range(0, n_strs, 4):
        table[strs[i]] = i
    print(f"built ints={len(ints)} strs={len(strs)} table={len(table)}")

    h = 14695981039346656037
    window = 40000
    keys = list(table.keys())
    for step in range(1, steps + 1):
        start = (step * 7919 * window) % (n_ints - window)
        for x in ints[start:start + window:4]:
            h = ((h ^ x) * PRIME) & MASK
        s = strs[(step * 104729) % n_strs]
        for ch in s.encode():
            h = ((h ^ ch) * PRIME) & MASK
        # change a few objects, so later steps see earlier ones
        j = (step * 31337) % n_ints
        ints[j] = (ints[j] * 31 + step) % 4294967291
        k = keys[(step * 7) % len(keys)]
        table[k] = (table[k] + h) & 0xFFFFFFFF
        print(f"step {step} h={h:016x} ints[{j}]={ints[j]} {k}={table[k]}")
        if sleep_ms > 0:
            time.sleep(sleep_ms / 1000.0)

    total = 0
    for x in ints:
        total = (total + x) & MASK
    th = 0
    for k, v in table.items():
        th = (th * 31 + v + len(k)) & MASK
    print(f"heap total={total} table={th:016x} strs={len(strs)}")
    print(f"result h={h:016x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
