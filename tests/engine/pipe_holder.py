#!/usr/bin/env python3
"""pipe_holder.py close|hold PIDFILE CMD [ARG...]

Runs CMD with fd 3 the read end of a pipe that holds one line, and fd 4 the
write end of another pipe, the way a make jobserver or a wrapper script hands
pipes down; the other ends stay here, in a process outside CMD's tree.
close: lets go of them at once (CMD finds its peers gone: the line, then
end-of-file; EPIPE). hold: keeps them until CMD ends (a dump of CMD finds
pipes leading outside its tree). Writes CMD's pid to PIDFILE and exits with
CMD's status (128 + signal if a signal ended it).
"""
import fcntl
import os
import sys

LINE = b"hello from outside the tree\n"


def move_high(fd):
    """A copy of fd above 9, so that placing others at 3 and 4 cannot hit it."""
    return fcntl.fcntl(fd, fcntl.F_DUPFD, 10)


def main():
    mode, pidfile, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode not in ("close", "hold") or not command:
        sys.exit(__doc__)
    data_r, data_w = os.pipe()
    sink_r, sink_w = os.pipe()
    os.write(data_w, LINE)
    pid = os.fork()
    if pid == 0:
        reader, writer = move_high(data_r), move_high(sink_w)
        os.dup2(reader, 3)
        os.dup2(writer, 4)
        os.closerange(5, os.sysconf("SC_OPEN_MAX"))
        os.execvp(command[0], command)
    os.close(data_r)
    os.close(sink_w)
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{pid}\n")
    os.rename(pidfile + ".tmp", pidfile)
    if mode == "close":
        os.close(data_w)
        os.close(sink_r)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
