#!/usr/bin/env python3
"""py_mp_pool: a multiprocessing.Pool computation, for the checkpoint tests.

usage: py_mp_pool.py [STEPS [SLEEP_MS]]

A Pool of three forked workers (pipes, a semaphore in /dev/shm that is
already unlinked, three handler threads in the parent) gets a batch of tasks
a step, through map() and through apply_async() with a callback; every result
is folded into a hash. Each step prints one line; the parent also checks that
its workers are the same processes as before (their pids, which a restore
must keep) and that each worker's own count of tasks goes on from where it
was. The output depends only on the arguments.
"""
import hashlib
import multiprocessing
import os
import sys
import time

done_here = 0


def work(n: int):
    global done_here
    done_here += 1
    h = hashlib.sha256(str(n).encode())
    for _ in range(200):
        h = hashlib.sha256(h.digest())
    return n, h.hexdigest()[:12], os.getpid(), done_here


def main() -> int:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    sleep_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    sys.stdout.reconfigure(line_buffering=True)
    print(f"py_mp_pool start steps={steps}")
    total = hashlib.sha256()
    worker_counts = {}
    with multiprocessing.get_context("fork").Pool(3) as pool:
        pids = sorted(p.pid for p in pool._pool)
        for step in range(1, steps + 1):
            late = []
            pool.apply_async(work, (10_000 + step,), callback=late.append).wait(60)
            batch = pool.map(work, range(step * 8, step * 8 + 8), chunksize=2)
            for n, digest, pid, count in late + batch:
                if count <= worker_counts.get(pid, 0):
                    print(f"worker {pid} counted {count} after {worker_counts[pid]}")
                    return 1
                worker_counts[pid] = count
                total.update(f"{n}:{digest}".encode())
            same = sorted(p.pid for p in pool._pool) == pids and set(worker_counts) <= set(pids)
            print(f"step {step} tasks={sum(worker_counts.values())} "
                  f"workers_same={same} hash={total.hexdigest()[:16]}")
            time.sleep(sleep_ms / 1000)
    print(f"result {total.hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
