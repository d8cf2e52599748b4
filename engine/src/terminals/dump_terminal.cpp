#include "terminals/dump_terminal.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include <map>

namespace stasis {

namespace {

// Device numbers (Documentation/admin-guide/devices.txt).
constexpr unsigned bsd_pty_master_major = 2;
constexpr unsigned bsd_pty_slave_major = 3;
constexpr unsigned tty_major = 4;          // virtual consoles (minor < 64), serial lines
constexpr unsigned tty_aux_major = 5;      // /dev/tty, /dev/console, /dev/ptmx
constexpr unsigned first_serial_minor = 64;
constexpr unsigned dev_tty_minor = 0;
constexpr unsigned console_minor = 1;
constexpr unsigned ptmx_minor = 2;
constexpr unsigned pty_slave_major_first = 136;  // Unix98 pty slaves: /dev/pts/N
constexpr unsigned pty_slave_major_last = 143;
constexpr unsigned minors_per_major = 256;

bool is_pty_slave(dev_t rdev)
{
    return major(rdev) >= pty_slave_major_first && major(rdev) <= pty_slave_major_last;
}

std::string terminal_type(dev_t rdev)
{
    if (is_pty_slave(rdev) || major(rdev) == bsd_pty_slave_major) {
        return "pty";
    }
    return major(rdev) == tty_aux_major && minor(rdev) == console_minor ? "console" : "tty";
}

// The device node of a terminal, for /dev/tty, whose own node names no
// terminal in particular.
std::string device_path(dev_t rdev)
{
    if (is_pty_slave(rdev)) {
        return "/dev/pts/" + std::to_string((major(rdev) - pty_slave_major_first) * minors_per_major + minor(rdev));
    }
    if (major(rdev) == tty_major) {
        return minor(rdev) < first_serial_minor ? "/dev/tty" + std::to_string(minor(rdev))
                                                : "/dev/ttyS" + std::to_string(minor(rdev) - first_serial_minor);
    }
    if (major(rdev) == tty_aux_major && minor(rdev) == console_minor) {
        return "/dev/console";
    }
    return "";
}

std::string fd_name(pid_t pid, int fd)
{
    return "fd " + std::to_string(fd) + " of process " + std::to_string(pid);
}

// The last number of a "NSsid:"-style status line (the innermost pid
// namespace's), or `outer` when the process cannot see that id (0).
pid_t innermost(pid_t pid, const std::string& key, pid_t outer)
{
    pid_t id = proc::innermost_id(proc::status_field(pid, key));
    return id != 0 ? id : outer;
}

// /proc/PID/stat's tty_nr (the kernel's 32-bit device encoding) as a dev_t.
dev_t controlling_terminal(const proc::Stat& stat)
{
    auto nr = static_cast<dev_t>(stat.field(proc::StatField::tty_nr));
    return makedev(major(nr), minor(nr));
}

struct SessionOf {
    pid_t pid = 0;  // a process of the tree that has the terminal as controlling terminal
    pid_t sid = 0, tpgid = 0;
};

}  // namespace

TerminalDevice terminal_device(dev_t rdev)
{
    unsigned maj = major(rdev);
    if (maj == tty_aux_major) {
        switch (minor(rdev)) {
        case dev_tty_minor:
            return TerminalDevice::controlling;
        case console_minor:
            return TerminalDevice::terminal;
        case ptmx_minor:
            return TerminalDevice::master;
        default:
            return TerminalDevice::none;
        }
    }
    if (maj == bsd_pty_master_major) {
        return TerminalDevice::bsd_master;
    }
    if (maj == tty_major || maj == bsd_pty_slave_major || is_pty_slave(rdev)) {
        return TerminalDevice::terminal;
    }
    return TerminalDevice::none;
}

void read_terminal_settings(int tty, TerminalState& t, const std::string& what)
{
    termios tio{};
    if (::tcgetattr(tty, &tio) < 0) {
        throw sys_error("cannot read the terminal settings of " + what);
    }
    t.iflag = tio.c_iflag;
    t.oflag = tio.c_oflag;
    t.cflag = tio.c_cflag;
    t.lflag = tio.c_lflag;
    t.line = tio.c_line;
    t.cc.assign(std::begin(tio.c_cc), std::end(tio.c_cc));
    t.ispeed = ::cfgetispeed(&tio);
    t.ospeed = ::cfgetospeed(&tio);
    winsize ws{};
    if (::ioctl(tty, TIOCGWINSZ, &ws) < 0) {
        throw sys_error("cannot read the window size of " + what);
    }
    t.rows = ws.ws_row;
    t.cols = ws.ws_col;
    t.xpixel = ws.ws_xpixel;
    t.ypixel = ws.ws_ypixel;
}

void read_terminal(pid_t pid, FdState& fd, dev_t rdev)
{
    std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd.fd);
    dev_t device = rdev;
    if (terminal_device(rdev) == TerminalDevice::controlling) {
        // Opening /dev/tty here would give stasis's own terminal.
        device = controlling_terminal(proc::Stat(pid));
        path = device_path(device);
        if (device == 0 || terminal_device(device) != TerminalDevice::terminal || path.empty()) {
            throw Error("process " + std::to_string(pid) + ": fd " + std::to_string(fd.fd) +
                        " is /dev/tty but the process has no controlling terminal stasis can name, "
                        "which stasis cannot checkpoint yet");
        }
    }
    std::string what = fd_name(pid, fd.fd) + " (" + fd.path + ")";
    UniqueFd tty(::open(path.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    struct stat st {};
    if (!tty.valid() || ::fstat(tty.get(), &st) < 0) {
        throw sys_error("cannot open the terminal at " + what + " to read its settings");
    }
    if (st.st_rdev != device) {
        throw Error("the terminal at " + what + " is not " + path + " any more");
    }
    TerminalState t;
    t.type = terminal_type(device);
    t.device = device;
    read_terminal_settings(tty.get(), t, what);
    fd.detail = t;
}

void link_terminals(std::vector<ProcessState>& tree)
{
    // Which session of the tree has which terminal (by device) as its
    // controlling terminal: a terminal is the controlling terminal of at
    // most one session.
    std::map<dev_t, SessionOf> sessions;
    std::map<pid_t, pid_t> groups;  // process group as stasis sees it -> as the tree sees it
    for (const auto& p : tree) {
        proc::Stat stat(p.pid);
        auto pgrp = static_cast<pid_t>(stat.field(proc::StatField::pgrp));
        groups.emplace(pgrp, innermost(p.pid, "NSpgid", pgrp));
        if (dev_t tty = controlling_terminal(stat); tty != 0) {
            sessions.emplace(tty, SessionOf{p.pid, static_cast<pid_t>(stat.field(proc::StatField::session)),
                                               static_cast<pid_t>(stat.field(proc::StatField::tpgid))});
        }
    }
    std::map<dev_t, int> ids;
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            auto* terminal = terminal_of(fd);
            if (terminal == nullptr) {
                continue;
            }
            auto& t = *terminal;
            t.id = ids.emplace(static_cast<dev_t>(t.device), static_cast<int>(ids.size())).first->second;
            if (auto s = sessions.find(static_cast<dev_t>(t.device)); s != sessions.end()) {
                t.session = innermost(s->second.pid, "NSsid", s->second.sid);
                auto fg = groups.find(s->second.tpgid);
                t.foreground = fg != groups.end() ? fg->second : 0;
            }
        }
    }
}

}  // namespace stasis
