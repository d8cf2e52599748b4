#include "pty_pairs/dump_pty_master.hpp"

#include "core/error.hpp"
#include "core/remote_fd.hpp"
#include "pty_pairs/pty_queues.hpp"
#include "terminals/dump_terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include <map>

namespace stasis {

namespace {

std::string fd_name(pid_t pid, int fd)
{
    return "the pty master at fd " + std::to_string(fd) + " of process " + std::to_string(pid);
}

int int_ioctl(int fd, unsigned long request, const std::string& what)
{
    int value = 0;
    if (::ioctl(fd, request, &value) < 0) {
        throw sys_error("cannot read the state of " + what);
    }
    return value;
}

// A description of the master's slave of stasis's own (non-blocking, not a
// controlling terminal). A locked pty is unlocked for the open and locked
// again: the tree is frozen, nobody can open it meanwhile.
UniqueFd open_slave(int master, bool locked, const std::string& what)
{
    int unlock = 0, lock = 1;
    if (locked && ::ioctl(master, TIOCSPTLCK, &unlock) < 0) {
        throw sys_error("cannot unlock the slave of " + what);
    }
    UniqueFd slave(::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    int err = errno;
    if (locked) {
        ::ioctl(master, TIOCSPTLCK, &lock);
    }
    if (!slave.valid()) {
        throw sys_error("cannot open the slave of " + what, err);
    }
    return slave;
}

[[noreturn]] void refuse_master(pid_t pid, const FdState& fd, const std::string& why)
{
    FdProbe probe;
    probe.pid = pid;
    probe.fd = fd.fd;
    probe.link = fd.path;
    refuse_fd(probe, "a pty master " + why);
}

// The queues of one master description, refused or taken and put back.
void take_queues(pid_t pid, FdState& fd)
{
    auto& m = fd.detail_as<PtyMasterState>();
    std::string what = fd_name(pid, fd.fd) + " (/dev/pts/" + std::to_string(m.index) + ")";
    UniqueFd master = copy_remote_fd(pid, fd.fd);
    UniqueFd slave = open_slave(master.get(), m.locked, what);
    if (m.packet && queued_bytes(master.get(), what) > 0) {
        refuse_master(pid, fd, "in packet mode with output of its slave /dev/pts/" + std::to_string(m.index) +
                                   " not read yet");
    }
    m.to_master = take_queued(master.get(), what);
    m.to_slave = take_slave_queue(slave.get(), what);
    // Back at once, in the order they were queued: whatever else fails
    // later, the tree loses nothing.
    queue_for_master(slave.get(), m.to_master, what);
    queue_for_slave(master.get(), slave.get(), m.to_slave, what);
}

}  // namespace

void read_pty_master(const FdProbe& probe, FdState& fd)
{
    std::string what = fd_name(probe.pid, probe.fd);
    UniqueFd master = copy_remote_fd(probe.pid, probe.fd);
    PtyMasterState m;
    m.index = int_ioctl(master.get(), TIOCGPTN, what);
    m.packet = int_ioctl(master.get(), TIOCGPKT, what) != 0;
    m.locked = int_ioctl(master.get(), TIOCGPTLCK, what) != 0;
    UniqueFd slave = open_slave(master.get(), m.locked, what);
    struct stat st {};
    if (::fstat(slave.get(), &st) < 0) {
        throw sys_error("cannot read the slave of " + what);
    }
    m.slave.type = "pty";
    m.slave.device = st.st_rdev;
    read_terminal_settings(master.get(), m.slave, what);
    fd.detail = m;
}

void capture_pty_queues(std::vector<ProcessState>& tree)
{
    std::map<int, const PtyMasterState*> taken;  // description -> its queues
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            if (fd.kind != FdKind::pty_master) {
                continue;
            }
            if (auto it = taken.find(fd.description); it != taken.end()) {
                fd.detail = *it->second;
                continue;
            }
            take_queues(p.pid, fd);
            taken.emplace(fd.description, &fd.detail_as<PtyMasterState>());
        }
    }
}

}  // namespace stasis
