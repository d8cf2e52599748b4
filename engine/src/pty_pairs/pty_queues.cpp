#include "pty_pairs/pty_queues.hpp"

#include "core/error.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace stasis {

namespace {

constexpr auto settle_timeout = std::chrono::seconds(5);
constexpr int write_timeout_ms = 5000;
constexpr std::size_t line_max = 4096;  // the line discipline's buffer: no canonical line is longer

// The slave's settings changed for the length of one put-back, then put
// back as they were (for a frozen tree nobody sees the difference).
class ChangedSettings {
public:
    template <typename Change>
    ChangedSettings(int slave, const std::string& what, Change change) : slave_(slave)
    {
        if (::tcgetattr(slave_, &saved_) < 0) {
            throw sys_error("cannot read the settings of " + what);
        }
        termios changed = saved_;
        change(changed);
        if (::tcsetattr(slave_, TCSANOW, &changed) < 0) {
            throw sys_error("cannot change the settings of " + what);
        }
    }
    ~ChangedSettings() { ::tcsetattr(slave_, TCSANOW, &saved_); }
    ChangedSettings(const ChangedSettings&) = delete;
    ChangedSettings& operator=(const ChangedSettings&) = delete;

private:
    int slave_;
    termios saved_{};
};

void put(int tty, const std::vector<std::uint8_t>& bytes, const std::string& what)
{
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(tty, bytes.data() + done, bytes.size() - done);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        pollfd out{tty, POLLOUT, 0};
        if (n == 0 || errno != EAGAIN || ::poll(&out, 1, write_timeout_ms) <= 0) {
            throw sys_error("cannot put " + std::to_string(bytes.size() - done) + " queued bytes back into " + what);
        }
    }
}

// Whether a read of the slave would not wait (canonical: a complete line,
// possibly an empty one ended by end-of-file, is there).
bool line_waiting(int slave)
{
    pollfd in{slave, POLLIN, 0};
    return ::poll(&in, 1, 0) == 1 && (in.revents & POLLIN) != 0;
}

bool ends_line(std::uint8_t c, const termios& tio)
{
    if (c == '\n') {
        return true;
    }
    return c != _POSIX_VDISABLE && (c == tio.c_cc[VEOL] || (c == tio.c_cc[VEOL2] && (tio.c_lflag & IEXTEN) != 0));
}

}  // namespace

int queued_bytes(int tty, const std::string& what)
{
    int count = 0;
    if (::ioctl(tty, FIONREAD, &count) < 0) {
        throw sys_error("cannot tell how much is queued in " + what);
    }
    return count;
}

std::vector<std::uint8_t> take_queued(int tty, const std::string& what)
{
    std::vector<std::uint8_t> bytes;
    // Each read is asked for no more than is there, so none blocks.
    for (int count = queued_bytes(tty, what); count > 0; count = queued_bytes(tty, what)) {
        std::size_t got = bytes.size();
        bytes.resize(got + static_cast<std::size_t>(count));
        ssize_t n = ::read(tty, bytes.data() + got, static_cast<std::size_t>(count));
        int err = errno;
        bytes.resize(got + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n == 0 || (n < 0 && err == EAGAIN)) {
            break;  // less than FIONREAD said: what was there is all there is
        }
        if (n < 0 && err != EINTR) {
            throw sys_error("cannot read what is queued in " + what, err);
        }
    }
    return bytes;
}

void queue_for_master(int slave, const std::vector<std::uint8_t>& bytes, const std::string& what)
{
    if (bytes.empty()) {
        return;
    }
    ChangedSettings raw_output(slave, what, [](termios& t) { t.c_oflag &= ~static_cast<tcflag_t>(OPOST); });
    put(slave, bytes, what);
}

std::vector<std::uint8_t> take_slave_queue(int slave, const std::string& what)
{
    termios tio{};
    if (::tcgetattr(slave, &tio) < 0) {
        throw sys_error("cannot read the settings of " + what);
    }
    if ((tio.c_lflag & ICANON) == 0) {
        return take_queued(slave, what);
    }
    // Canonical: one complete line a read, its end-of-file character (which
    // a read drops) put back as a byte of the stream. A line not complete
    // yet is not readable, and stays where it is.
    std::vector<std::uint8_t> stream;
    while (line_waiting(slave)) {
        std::uint8_t line[line_max];
        ssize_t n = ::read(slave, line, sizeof(line));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            break;
        }
        if (n < 0) {
            throw sys_error("cannot read what is queued in " + what);
        }
        stream.insert(stream.end(), line, line + n);
        if (n == 0 || !ends_line(line[n - 1], tio)) {
            stream.push_back(tio.c_cc[VEOF]);
        }
    }
    return stream;
}

void queue_for_slave(int master, int slave, const std::vector<std::uint8_t>& bytes, const std::string& what)
{
    if (bytes.empty()) {
        return;
    }
    bool canonical = false;
    std::uint8_t eof = 0;
    ChangedSettings raw_input(slave, what, [&](termios& t) {
        canonical = (t.c_lflag & ICANON) != 0;
        eof = t.c_cc[VEOF];
        t.c_iflag = 0;
        t.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ISIG);
        // Only the line ends keep their meaning (IEXTEN stays: VEOL2 needs it).
        for (int key : {VERASE, VKILL, VWERASE, VREPRINT, VLNEXT, VDISCARD}) {
            t.c_cc[key] = _POSIX_VDISABLE;
        }
    });
    // Canonical: FIONREAD counts the bytes of complete lines, not their
    // end-of-file characters; a line of nothing but one shows as a line.
    auto eofs = canonical ? std::count(bytes.begin(), bytes.end(), eof) : 0;
    int expected = queued_bytes(slave, what) + static_cast<int>(bytes.size()) - static_cast<int>(eofs);
    put(master, bytes, what);
    auto deadline = std::chrono::steady_clock::now() + settle_timeout;
    while (queued_bytes(slave, what) < expected || (eofs > 0 && !line_waiting(slave))) {
        if (std::chrono::steady_clock::now() > deadline) {
            throw Error("the bytes put back into " + what + " did not reach its slave within 5 s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

}  // namespace stasis
