#!/usr/bin/env python3
"""py_mp_pipe: two CPython processes talking over multiprocessing.Pipe (a
Unix stream socketpair), for the Unix socket tests.

usage: py_mp_pipe.py [STEPS [SLEEP_MS]]

The parent starts a multiprocessing.Process (forked) and sends it one message
a step; the child checks each message, folds it into a hash and answers at
once; the parent reads the answers two steps late, so answers wait unread in
the socket between steps. Prints one line per answer, the child's exit code
and "result ...". The output depends only on the arguments.
"""
import hashlib
import multiprocessing
import sys
import time


def message(step: int):
    return ("step", step, [step * i for i in range(step % 17)], "x" * (step * 31 % 500))


def child(conn, steps: int) -> None:
    digest = hashlib.sha256()
    for step in range(1, steps + 1):
        got = conn.recv()
        if got != message(step):
            sys.exit(f"child: step {step}: got {got!r:.80}")
        digest.update(repr(got).encode())
        conn.send((step, digest.hexdigest()[:16]))
    conn.send(("done", digest.hexdigest()))
    conn.close()


def main() -> int:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    sleep_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    sys.stdout.reconfigure(line_buffering=True)
    print(f"py_mp_pipe start steps={steps}")
    ours, theirs = multiprocessing.Pipe()
    worker = multiprocessing.get_context("fork").Process(target=child, args=(theirs, steps))
    worker.start()
    theirs.close()
    answers = hashlib.sha256()

    def answer() -> None:
        got = ours.recv()
        answers.update(repr(got).encode())
        print(f"answer {got[0]} {got[1]}")

    for step in range(1, steps + 1):
        ours.send(message(step))
        if step >= 3:
            answer()
        time.sleep(sleep_ms / 1000)
    for _ in range(3):
        answer()
    worker.join()
    print(f"child exit code {worker.exitcode}")
    print(f"result {answers.hexdigest()}")
    return 0 if worker.exitcode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
