#include "terminals/restore_terminal.hpp"

#include "core/error.hpp"
#include "pty_pairs/pty_queues.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

namespace stasis {

namespace {

std::string describe(const TerminalState& t)
{
    auto dev = static_cast<dev_t>(t.device);
    return "terminal " + std::to_string(t.id) + " (" + t.type + " " + std::to_string(major(dev)) + ":" +
           std::to_string(minor(dev)) + ")";
}

termios saved_termios(const TerminalState& t)
{
    termios tio{};
    tio.c_iflag = t.iflag;
    tio.c_oflag = t.oflag;
    tio.c_cflag = t.cflag;
    tio.c_lflag = t.lflag;
    tio.c_line = t.line;
    std::copy_n(t.cc.begin(), std::min<std::size_t>(t.cc.size(), NCCS), std::begin(tio.c_cc));
    ::cfsetispeed(&tio, t.ispeed);
    ::cfsetospeed(&tio, t.ospeed);
    return tio;
}

// A new open file description of the pty's slave, close-on-exec. Asking
// TIOCGPTPEER for O_CLOEXEC would leave it in the description's flags for
// good (open(2) drops it; TIOCGPTPEER does not), and every fd on it would
// read as close-on-exec at the next checkpoint.
UniqueFd open_peer(int master, int flags)
{
    UniqueFd fd(::ioctl(master, TIOCGPTPEER, flags | O_NOCTTY));
    if (fd.valid() && ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC) < 0) {
        fd.reset();
    }
    return fd;
}

Pty create_pty(const TerminalState& saved)
{
    Pty pty;
    pty.saved = saved;
    pty.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!pty.master.valid() || ::unlockpt(pty.master.get()) < 0) {
        throw sys_error("cannot create a pty for " + describe(saved));
    }
    pty.slave = open_peer(pty.master.get(), O_RDWR);
    if (!pty.slave.valid()) {
        throw sys_error("cannot open the new pty of " + describe(saved));
    }
    termios tio = saved_termios(saved);
    winsize ws{saved.rows, saved.cols, saved.xpixel, saved.ypixel};
    if (::tcsetattr(pty.slave.get(), TCSANOW, &tio) < 0 || ::ioctl(pty.slave.get(), TIOCSWINSZ, &ws) < 0) {
        throw sys_error("cannot give the new pty the settings of " + describe(saved));
    }
    return pty;
}

// The pty master the tree held on terminal id's slave; nullptr: none.
const PtyMasterState* saved_master(const std::vector<ProcessState>& tree, int id)
{
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            if (fd.kind == FdKind::pty_master && fd.detail_as<PtyMasterState>().slave.id == id) {
                return &fd.detail_as<PtyMasterState>();
            }
        }
    }
    return nullptr;
}

// A pair whose master was the tree's: what was queued in it each way, the
// master's packet mode and lock.
void restore_pair(Pty& pty, const PtyMasterState& saved)
{
    std::string what = "the new pty of " + describe(pty.saved);
    queue_for_master(pty.slave.get(), saved.to_master, what);
    queue_for_slave(pty.master.get(), pty.slave.get(), saved.to_slave, what);
    int on = 1;
    if ((saved.packet && ::ioctl(pty.master.get(), TIOCPKT, &on) < 0) ||
        (saved.locked && ::ioctl(pty.master.get(), TIOCSPTLCK, &on) < 0)) {
        throw sys_error("cannot give " + what + " the modes of its master");
    }
    pty.inside = true;
    pty.locked = saved.locked;
}

// fd, a new description for saved on pty, with saved's status flags.
UniqueFd with_status_flags(UniqueFd fd, const FdState& saved, const Pty& pty)
{
    if (!fd.valid() || ::fcntl(fd.get(), F_SETFL, saved.flags & (O_APPEND | O_NONBLOCK)) < 0) {
        throw sys_error("cannot open the new pty of " + describe(pty.saved) + " for fd " + std::to_string(saved.fd) +
                        " (" + saved.path + ")");
    }
    return fd;
}

// The terminal of the root's lowest-numbered terminal fd that is relayed
// (not a pair inside the tree): the one `stasis restore`'s stdin goes to.
int first_terminal(const ProcessState& root, const std::vector<Pty>& ptys)
{
    auto inside = [&ptys](int id) {
        return std::any_of(ptys.begin(), ptys.end(), [id](const Pty& p) { return p.saved.id == id && p.inside; });
    };
    int first_fd = INT_MAX, id = -1;
    for (const auto& fd : root.fds) {
        if (fd.kind == FdKind::terminal && fd.fd < first_fd && !inside(fd.detail_as<TerminalState>().id)) {
            first_fd = fd.fd;
            id = fd.detail_as<TerminalState>().id;
        }
    }
    return id;
}

}  // namespace

std::vector<TerminalState> saved_terminals(const std::vector<ProcessState>& tree)
{
    std::vector<TerminalState> terminals;
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            const auto* terminal = terminal_of(fd);
            if (terminal == nullptr) {
                continue;
            }
            const auto& t = *terminal;
            if (std::none_of(terminals.begin(), terminals.end(), [&](const TerminalState& s) { return s.id == t.id; })) {
                terminals.push_back(t);
            }
        }
    }
    return terminals;
}

RestoredTerminals::RestoredTerminals(const std::vector<ProcessState>& tree, bool relayed)
{
    for (const auto& t : saved_terminals(tree)) {
        const auto* master = saved_master(tree, t.id);
        if (master == nullptr && !relayed) {
            continue;
        }
        auto pty = create_pty(t);
        if (master != nullptr) {
            restore_pair(pty, *master);
        }
        ptys_.push_back(std::move(pty));
    }
    int first = tree.empty() ? -1 : first_terminal(tree.front(), ptys_);
    std::stable_partition(ptys_.begin(), ptys_.end(), [first](const Pty& p) { return p.saved.id == first; });
}

const Pty* RestoredTerminals::find(int id) const
{
    auto it = std::find_if(ptys_.begin(), ptys_.end(), [id](const Pty& p) { return p.saved.id == id; });
    return it != ptys_.end() ? &*it : nullptr;
}

const Pty& RestoredTerminals::pty_for(const FdState& saved) const
{
    int id = terminal_of(saved)->id;
    const Pty* pty = find(id);
    if (pty == nullptr) {
        throw ImageError("fd " + std::to_string(saved.fd) + " names terminal " + std::to_string(id) +
                         ", which the image does not describe");
    }
    return *pty;
}

int RestoredTerminals::slave(int id) const
{
    const Pty* pty = find(id);
    return pty != nullptr ? pty->slave.get() : -1;
}

UniqueFd RestoredTerminals::open_slave(const FdState& saved) const
{
    const Pty& pty = pty_for(saved);
    int unlock = 0, lock = 1;
    if (pty.locked) {
        ::ioctl(pty.master.get(), TIOCSPTLCK, &unlock);  // a slave of a locked pty opens only so
    }
    UniqueFd fd = open_peer(pty.master.get(), saved.flags & O_ACCMODE);
    if (pty.locked) {
        ::ioctl(pty.master.get(), TIOCSPTLCK, &lock);
    }
    return with_status_flags(std::move(fd), saved, pty);
}

UniqueFd RestoredTerminals::open_master(const FdState& saved) const
{
    const Pty& pty = pty_for(saved);
    return with_status_flags(UniqueFd(::fcntl(pty.master.get(), F_DUPFD_CLOEXEC, 0)), saved, pty);
}

std::vector<Pty> RestoredTerminals::release()
{
    std::vector<Pty> relayed;
    for (auto& pty : ptys_) {
        if (!pty.inside) {
            relayed.push_back(std::move(pty));
        }
    }
    ptys_.clear();  // a pair inside the tree is the tree's alone from now on
    return relayed;
}

std::vector<TerminalSession> terminal_sessions(const std::vector<ProcessState>& tree,
                                               const RestoredTerminals& terminals)
{
    std::vector<TerminalSession> sessions(tree.size());
    if (tree.empty() || terminals.empty()) {
        return sessions;
    }
    for (const auto& t : saved_terminals(tree)) {
        if (t.session == 0 || terminals.slave(t.id) < 0) {
            continue;
        }
        auto leader = std::find_if(tree.begin(), tree.end(),
                                   [&](const ProcessState& p) { return p.pid == t.session && !p.zombie; });
        std::size_t taker = 0;
        bool new_session = true;
        if (leader != tree.end()) {
            taker = static_cast<std::size_t>(leader - tree.begin());
            new_session = false;  // with its pid, it starts its session itself (process/pre_exec)
        } else if (tree.front().sid != t.session) {
            continue;  // no process of the tree can lead that session
        }
        auto& s = sessions[taker];
        s.new_session = new_session;
        s.slave = terminals.slave(t.id);
        s.foreground_own = t.foreground != 0 && t.foreground == tree[taker].pgid;
        s.foreground = t.foreground;
    }
    return sessions;
}

void start_terminal_session(const TerminalSession& session) noexcept
{
    if (session.new_session) {
        ::setsid();
    }
}

bool take_controlling_terminal(const TerminalSession& session) noexcept
{
    return session.slave < 0 || ::ioctl(session.slave, TIOCSCTTY, 0) == 0;
}

void hand_foreground(const TerminalSession& session) noexcept
{
    if (session.slave < 0) {
        return;
    }
    // A saved foreground group that did not come back (it lay outside the
    // tree) leaves the leader's own group in the foreground.
    pid_t group = session.foreground_own ? ::getpgrp() : session.foreground;
    if (group > 0) {
        ::tcsetpgrp(session.slave, group);
    }
}

}  // namespace stasis
