#!/usr/bin/env python3
"""pty_driver.py: run a command on a new pty, as a terminal emulator would,
for the terminal tests (tree_terminal.sh).

usage: pty_driver.py OUT PIDFILE [--answer PATTERN TEXT] [--resize ROWS COLS] -- CMD [ARG...]

CMD leads a new session whose controlling terminal is the pty (its fds
0-2). Everything it writes on the pty is appended to OUT as it comes; its pid
is written to PIDFILE. When its output first contains PATTERN, the driver
types TEXT and a newline (after setting the window size to ROWSxCOLS, if
--resize is given). An empty PATTERN is for a command that asked before
(a job restored while it waits for the line): TEXT is typed once the
terminal's ECHO is off, that is once the job's own terminal settings are in
place, so that the line is not echoed. The driver exits with CMD's exit status (128+N if signal
N ended it) once CMD has ended and what it wrote has been read.
"""
import argparse
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("pidfile")
    p.add_argument("--answer", nargs=2, metavar=("PATTERN", "TEXT"))
    p.add_argument("--resize", nargs=2, type=int, metavar=("ROWS", "COLS"))
    p.add_argument("cmd", nargs="+")
    return p.parse_args()


def start(cmd):
    pid, master = pty.fork()
    if pid == 0:
        # Python ignores SIGPIPE and SIGXFSZ; the command should not inherit that.
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)
        os.closerange(3, 1 << 16)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    return pid, master


def echo_on(master):
    return termios.tcgetattr(master)[3] & termios.ECHO != 0


def main():
    args = parse()
    pid, master = start(args.cmd)
    with open(args.pidfile + ".tmp", "w") as f:
        f.write(f"{pid}\n")
    os.rename(args.pidfile + ".tmp", args.pidfile)
    pattern = args.answer[0].encode() if args.answer else None
    seen = b""
    status = None
    with open(args.out, "ab", buffering=0) as out:
        while True:
            ready, _, _ = select.select([master], [], [], 0.05)
            data = b""
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError as e:
                    if e.errno != errno.EIO:  # EIO: no process holds the pty any more
                        raise
            if data:
                out.write(data)
                seen = (seen + data)[-4096:]
            if pattern is not None and pattern in seen and (pattern or not echo_on(master)):
                pattern = None
                if args.resize:
                    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", args.resize[0], args.resize[1], 0, 0))
                    time.sleep(0.2)
                os.write(master, args.answer[1].encode() + b"\n")
            if status is None:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
            elif not data:
                break
        # A read waits for what the kernel is still passing on to the master.
        os.set_blocking(master, False)
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break  # EAGAIN: nothing left; EIO: nobody holds the pty
            if not data:
                break
            out.write(data)
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main()
