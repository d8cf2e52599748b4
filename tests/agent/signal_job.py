#!/usr/bin/env python3
"""signal_job: a job that handles signals itself, for the signal guard tests.

usage: signal_job.py STEPS SLEEP_MS

Prints "step N" every step. SIGUSR1, SIGUSR2 and SIGTERM are handled: the
handler prints "handled SIG..." with the number it was called with, and the
job carries on. At step 5 the job sends itself SIGUSR2: a signal from inside
the job. Ends with "result steps=N" and exit status 0.
"""
import os
import signal
import sys
import time


def handler(signo, _frame):
    print(f"handled {signal.Signals(signo).name} ({signo})")


def main() -> int:
    steps = int(sys.argv[1])
    sleep_ms = int(sys.argv[2])
    sys.stdout.reconfigure(line_buffering=True)
    for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM):
        signal.signal(s, handler)
    print(f"signal_job start steps={steps} pid={os.getpid()}")
    for step in range(1, steps + 1):
        print(f"step {step}")
        if step == 5:
            os.kill(os.getpid(), signal.SIGUSR2)
        time.sleep(sleep_ms / 1000.0)
    print(f"result steps={steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
