// The bytes waiting in a pty pair, taken out of one pair and put into
// another (pty_pairs/pty_queues.hpp), as a dump and a restore do: each way,
// the reader must get exactly what it would have got from the first pair,
// with the line discipline's mappings on (bytes processed twice would come
// out changed), and a canonical slave its lines (ended by NL, VEOL2 or
// end-of-file).
#include "pty_pairs/pty_queues.hpp"
#include <stasis/unique_fd.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace stasis;

namespace {

using Bytes = std::vector<std::uint8_t>;

struct Pair {
    UniqueFd master, slave;
};

// A pty whose slave has these input and output mappings, canonical or not,
// echo off; the slave is non-blocking, as stasis's own description is.
Pair make_pair(bool canonical)
{
    Pair p;
    p.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    REQUIRE(p.master.valid());
    REQUIRE(::unlockpt(p.master.get()) == 0);
    p.slave.reset(::ioctl(p.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
    REQUIRE(p.slave.valid());
    termios t{};
    REQUIRE(::tcgetattr(p.slave.get(), &t) == 0);
    t.c_iflag |= ICRNL | INLCR;
    t.c_oflag |= OPOST | ONLCR;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    if (canonical) {
        t.c_lflag |= ICANON | IEXTEN;
        t.c_cc[VEOL2] = '#';  // a second line end (IEXTEN)
    } else {
        t.c_lflag &= ~static_cast<tcflag_t>(ICANON);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
    }
    REQUIRE(::tcsetattr(p.slave.get(), TCSANOW, &t) == 0);
    return p;
}

void write_bytes(int fd, const std::string& s)
{
    REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
}

// Waits (bounded) until `tty` has something to read.
void wait_readable(int tty)
{
    pollfd in{tty, POLLIN, 0};
    REQUIRE(::poll(&in, 1, 5000) == 1);
}

// Waits (bounded) until FIONREAD on `tty` says `count`.
void wait_queued(int tty, int count)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (queued_bytes(tty, "test pty") < count) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

std::string read_once(int fd)
{
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    REQUIRE(n >= 0);
    return {buf, static_cast<std::size_t>(n)};
}

std::string text(const Bytes& b)
{
    return {b.begin(), b.end()};
}

}  // namespace

TEST_CASE("what the slave wrote reaches the new master once, not mapped again")
{
    Pair old_pair = make_pair(false);
    write_bytes(old_pair.slave.get(), "a\nb\n");
    wait_queued(old_pair.master.get(), 6);
    Bytes taken = take_queued(old_pair.master.get(), "old pty");
    CHECK(text(taken) == "a\r\nb\r\n");
    CHECK(queued_bytes(old_pair.master.get(), "old pty") == 0);

    Pair new_pair = make_pair(false);
    queue_for_master(new_pair.slave.get(), taken, "new pty");
    wait_readable(new_pair.master.get());
    wait_queued(new_pair.master.get(), 6);
    CHECK(read_once(new_pair.master.get()) == "a\r\nb\r\n");
    termios t{};
    REQUIRE(::tcgetattr(new_pair.slave.get(), &t) == 0);
    CHECK((t.c_oflag & OPOST) != 0);  // the slave's settings are back
}

TEST_CASE("what the master wrote reaches a new non-canonical slave once, not mapped again")
{
    Pair old_pair = make_pair(false);
    write_bytes(old_pair.master.get(), "x\ry\n");
    wait_queued(old_pair.slave.get(), 4);
    Bytes taken = take_slave_queue(old_pair.slave.get(), "old pty");
    CHECK(text(taken) == "x\ny\r");  // CR->NL and NL->CR, once

    Pair new_pair = make_pair(false);
    queue_for_slave(new_pair.master.get(), new_pair.slave.get(), taken, "new pty");
    CHECK(queued_bytes(new_pair.slave.get(), "new pty") == 4);
    CHECK(read_once(new_pair.slave.get()) == "x\ny\r");
    termios t{};
    REQUIRE(::tcgetattr(new_pair.slave.get(), &t) == 0);
    CHECK((t.c_iflag & (ICRNL | INLCR)) == (ICRNL | INLCR));
}

TEST_CASE("a canonical slave's lines and end-of-file come back as lines, its unfinished line stays")
{
    Pair old_pair = make_pair(true);
    termios t{};
    REQUIRE(::tcgetattr(old_pair.slave.get(), &t) == 0);
    const char eof = static_cast<char>(t.c_cc[VEOF]);
    write_bytes(old_pair.master.get(), std::string("one\r") + "mid#" + "two" + eof + eof + "unfinished");
    wait_queued(old_pair.slave.get(), 11);
    Bytes taken = take_slave_queue(old_pair.slave.get(), "old pty");
    CHECK(text(taken) == std::string("one\n") + "mid#" + "two" + eof + eof);
    write_bytes(old_pair.master.get(), "\r");
    wait_readable(old_pair.slave.get());
    CHECK(read_once(old_pair.slave.get()) == "unfinished\n");

    Pair new_pair = make_pair(true);
    queue_for_slave(new_pair.master.get(), new_pair.slave.get(), taken, "new pty");
    CHECK(read_once(new_pair.slave.get()) == "one\n");
    CHECK(read_once(new_pair.slave.get()) == "mid#");
    CHECK(read_once(new_pair.slave.get()) == "two");
    CHECK(read_once(new_pair.slave.get()) == "");  // the end-of-file line
    CHECK(::read(new_pair.slave.get(), &t, 1) < 0);
    CHECK(errno == EAGAIN);
}
