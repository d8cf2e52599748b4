#include "terminals/terminal_relay.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <string>

namespace stasis {

namespace {

constexpr std::size_t chunk_size = 65536;
constexpr std::size_t max_pending_input = 1 << 20;  // stop reading stdin beyond this much unsent input

// stdin in raw mode (no echo, no line editing, no signal keys: all of that
// is the restored terminal's business) for as long as the relay runs.
class RawMode {
public:
    RawMode()
    {
        if (::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios raw = saved_;
            ::cfmakeraw(&raw);
            active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
    }
    ~RawMode()
    {
        if (active_) {
            ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
        }
    }
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

// The signals the relay acts on are blocked and read from a signalfd while
// it runs; SIGPIPE is ignored (a closed stdout only ends the copying).
class RelaySignals {
public:
    RelaySignals()
    {
        ::sigemptyset(&set_);
        for (int sig : {SIGWINCH, SIGTERM, SIGINT, SIGHUP, SIGQUIT}) {
            ::sigaddset(&set_, sig);
        }
        if (::sigprocmask(SIG_BLOCK, &set_, &old_mask_) < 0) {
            throw sys_error("cannot block signals for the terminal relay");
        }
        fd_.reset(::signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC));
        if (!fd_.valid()) {
            int err = errno;
            ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
            throw sys_error("cannot create a signalfd for the terminal relay", err);
        }
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, &old_pipe_);
    }
    ~RelaySignals()
    {
        while (next() != 0) {
            // Consumed: the restored root has ended, there is nobody to pass them to.
        }
        ::sigaction(SIGPIPE, &old_pipe_, nullptr);
        ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    }
    RelaySignals(const RelaySignals&) = delete;
    RelaySignals& operator=(const RelaySignals&) = delete;

    [[nodiscard]] int fd() const { return fd_.get(); }

    // The next signal received, 0 if none is waiting.
    int next()
    {
        signalfd_siginfo info{};
        return ::read(fd_.get(), &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))
                   ? static_cast<int>(info.ssi_signo)
                   : 0;
    }

private:
    sigset_t set_{}, old_mask_{};
    struct sigaction old_pipe_ {};
    UniqueFd fd_;
};

// stasis's stdout; after a write error (a closed pipe) what comes is dropped.
class Output {
public:
    void write(const char* data, std::size_t size)
    {
        while (ok_ && size > 0) {
            ssize_t n = ::write(STDOUT_FILENO, data, size);
            if (n > 0) {
                data += n;
                size -= static_cast<std::size_t>(n);
            } else if (n < 0 && errno == EAGAIN) {
                pollfd out{STDOUT_FILENO, POLLOUT, 0};
                ::poll(&out, 1, -1);
            } else if (n == 0 || errno != EINTR) {
                ok_ = false;
            }
        }
    }

private:
    bool ok_ = true;
};

enum class Copied { some, none, closed };

// One read from a (non-blocking) master to stdout.
Copied copy_output(int master, Output& out)
{
    char buf[chunk_size];
    ssize_t n = ::read(master, buf, sizeof(buf));
    while (n < 0 && errno == EINTR) {
        n = ::read(master, buf, sizeof(buf));
    }
    if (n > 0) {
        out.write(buf, static_cast<std::size_t>(n));
        return Copied::some;
    }
    return n < 0 && errno == EAGAIN ? Copied::none : Copied::closed;  // EIO: no slave is open any more
}

void forward_window_size(int master)
{
    winsize ws{};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && (ws.ws_row != 0 || ws.ws_col != 0)) {
        ::ioctl(master, TIOCSWINSZ, &ws);  // the kernel signals the foreground group if it changed
    }
}

// The end-of-file character of a slave in canonical mode; none otherwise.
std::string end_of_file(int slave)
{
    termios tio{};
    if (::tcgetattr(slave, &tio) == 0 && (tio.c_lflag & ICANON) != 0 && tio.c_cc[VEOF] != _POSIX_VDISABLE) {
        return std::string(1, static_cast<char>(tio.c_cc[VEOF]));
    }
    return "";
}

class Relay {
public:
    Relay(std::vector<Pty> ptys, pid_t child, pid_t root)
        : ptys_(std::move(ptys)), live_(ptys_.size(), true), root_(root),
          child_(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)))
    {
        if (!child_.valid()) {
            throw sys_error("cannot watch the restored process " + std::to_string(child));
        }
        for (const auto& pty : ptys_) {
            int flags = ::fcntl(pty.master.get(), F_GETFL);
            if (flags < 0 || ::fcntl(pty.master.get(), F_SETFL, flags | O_NONBLOCK) < 0) {
                throw sys_error("cannot set up the terminal relay");
            }
        }
    }

    void run()
    {
        if (::isatty(STDIN_FILENO) == 1 && !ptys_.empty()) {
            forward_window_size(ptys_.front().master.get());
        }
        while (!child_ended()) {
            step();
        }
        for (std::size_t i = 0; i < ptys_.size(); ++i) {
            while (live_[i] && copy_output(ptys_[i].master.get(), out_) == Copied::some) {
            }
        }
    }

private:
    bool child_ended()
    {
        pollfd ended{child_.get(), POLLIN, 0};
        return ::poll(&ended, 1, 0) == 1;
    }

    void step()
    {
        std::vector<pollfd> fds{{child_.get(), POLLIN, 0}, {signals_.fd(), POLLIN, 0}};
        bool reading = stdin_open_ && pending_.size() < max_pending_input;
        fds.push_back({reading ? STDIN_FILENO : -1, POLLIN, 0});
        for (std::size_t i = 0; i < ptys_.size(); ++i) {
            short events = POLLIN;
            events |= i == 0 && !pending_.empty() ? POLLOUT : 0;
            fds.push_back({live_[i] ? ptys_[i].master.get() : -1, events, 0});
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            return;  // EINTR
        }
        // Signals first: a window size changed before input was typed
        // reaches the program before that input.
        if (fds[1].revents != 0) {
            handle_signals();
        }
        if (fds[2].revents != 0) {
            read_input();
        }
        for (std::size_t i = 0; i < ptys_.size(); ++i) {
            if ((fds[3 + i].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
                copy_output(ptys_[i].master.get(), out_) == Copied::closed) {
                live_[i] = false;
            }
        }
        send_input();
    }

    void handle_signals()
    {
        while (int sig = signals_.next()) {
            if (sig == SIGWINCH) {
                forward_window_size(ptys_.front().master.get());
            } else {
                ::kill(root_, sig);
            }
        }
    }

    void read_input()
    {
        char buf[chunk_size];
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof(buf));
        if (n > 0) {
            pending_.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            stdin_open_ = false;
            eof_due_ = true;
        }
    }

    void send_input()
    {
        if (ptys_.empty() || !live_.front()) {
            pending_.clear();
            return;
        }
        if (pending_.empty() && eof_due_) {
            pending_ = end_of_file(ptys_.front().slave.get());
            eof_due_ = false;
        }
        if (!pending_.empty()) {
            ssize_t n = ::write(ptys_.front().master.get(), pending_.data(), pending_.size());
            if (n > 0) {
                pending_.erase(0, static_cast<std::size_t>(n));
            }
        }
    }

    std::vector<Pty> ptys_;
    std::vector<bool> live_;  // false once a master has no slave open any more
    pid_t root_;
    UniqueFd child_;  // a pidfd: readable once the process has ended
    RelaySignals signals_;
    RawMode raw_;  // after the signals are blocked, and undone before they are unblocked
    Output out_;
    std::string pending_;  // read from stdin, not yet taken by the first pty
    bool stdin_open_ = true;
    bool eof_due_ = false;
};

}  // namespace

void relay_terminals(std::vector<Pty> ptys, pid_t child, pid_t root)
{
    Relay relay(std::move(ptys), child, root);
    relay.run();
}

}  // namespace stasis
