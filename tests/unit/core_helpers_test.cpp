// The small helpers of core/: hex text for raw kernel bytes, addresses and
// byte counts as messages show them, and whole reads and writes.
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/human_size.hpp"
#include "core/io.hpp"
#include <stasis/unique_fd.hpp>
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

using namespace stasis;

namespace {

std::vector<std::byte> pattern(std::size_t size)
{
    std::vector<std::byte> bytes(size);
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<std::byte>((i * 131 + i / 4093) & 0xff);
    }
    return bytes;
}

std::span<const std::byte> bytes_of(const std::string& text)
{
    return std::as_bytes(std::span(text.data(), text.size()));
}

UniqueFd memfd_holding(const std::string& text)
{
    UniqueFd fd(::memfd_create("stasis io test", MFD_CLOEXEC));
    REQUIRE(fd.valid());
    REQUIRE(::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    return fd;
}

struct Pipe {
    UniqueFd read, write;
};

Pipe make_pipe()
{
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// What sys_error says for err after "<what>: ".
std::string failed(const std::string& what, int err)
{
    return what + ": " + std::strerror(err);
}

std::atomic<int> alarms{0};

void count_alarm(int)
{
    alarms.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

TEST_CASE("to_hex and from_hex round-trip every byte value in lowercase")
{
    std::vector<std::uint8_t> all(256);
    for (std::size_t i = 0; i < all.size(); ++i) {
        all[i] = static_cast<std::uint8_t>(i);
    }
    const std::string hex = to_hex(all);
    CHECK(hex.size() == 512);
    CHECK(hex.substr(0, 8) == "00010203");
    CHECK(hex.substr(hex.size() - 8) == "fcfdfeff");
    CHECK(from_hex(hex) == all);

    const std::uint8_t some[] = {0x00, 0x0f, 0xa0, 0xff};
    CHECK(to_hex(some, sizeof some) == "000fa0ff");
    CHECK(to_hex(std::vector<std::uint8_t>{}) == "");
    CHECK(from_hex("").empty());
    CHECK(from_hex("DEADbeef") == std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef});
}

TEST_CASE("from_hex refuses an odd length and what is not a hex digit")
{
    for (const char* bad : {"abc", "0", "0g", "g0", " 1", "-1", "0x", "1\n"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS(from_hex(bad), "manifest holds a malformed hex string", ImageError);
    }
}

TEST_CASE("hex_address")
{
    CHECK(hex_address(0) == "0x0");
    CHECK(hex_address(0x7f12a0000000) == "0x7f12a0000000");
    CHECK(hex_address(std::numeric_limits<std::uint64_t>::max()) == "0xffffffffffffffff");
}

TEST_CASE("human_size: bytes below 1 KiB, then three significant digits up to PiB")
{
    constexpr std::uint64_t KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024, PiB = GiB * 1024 * 1024;
    CHECK(human_size(0) == "0 B");
    CHECK(human_size(1023) == "1023 B");
    CHECK(human_size(KiB) == "1.00 KiB");
    CHECK(human_size(KiB + KiB / 2) == "1.50 KiB");
    CHECK(human_size(10 * KiB) == "10.0 KiB");
    CHECK(human_size(100 * KiB) == "100 KiB");
    CHECK(human_size(1023 * KiB) == "1023 KiB");
    CHECK(human_size(MiB) == "1.00 MiB");
    CHECK(human_size(6 * MiB + 8 * KiB) == "6.01 MiB");
    CHECK(human_size(99 * MiB + MiB / 2) == "99.5 MiB");
    CHECK(human_size(100 * MiB) == "100 MiB");
    // Where rounding would cross into the next precision or unit, the
    // printed value decides: never "10.00 KiB", "100.0 KiB" or "1024 KiB".
    CHECK(human_size(10239) == "10.0 KiB");
    CHECK(human_size(102399) == "100 KiB");
    CHECK(human_size(MiB - 1) == "1.00 MiB");
    CHECK(human_size(44'238'163'149) == "41.2 GiB");
    CHECK(human_size(PiB) == "1.00 PiB");
    // PiB is the largest unit.
    CHECK(human_size(1024 * PiB) == "1024 PiB");
    CHECK(human_size(std::numeric_limits<std::uint64_t>::max()) == "16384 PiB");
}

TEST_CASE("pread_full returns fewer bytes only where the file ends")
{
    const UniqueFd fd = memfd_holding("0123456789");
    std::vector<std::byte> out(64, std::byte{'x'});
    CHECK(pread_full(fd.get(), out, 0, "the file") == 10);
    CHECK(std::memcmp(out.data(), "0123456789x", 11) == 0);
    CHECK(pread_full(fd.get(), out, 4, "the file") == 6);
    CHECK(std::memcmp(out.data(), "456789", 6) == 0);
    CHECK(pread_full(fd.get(), std::span(out).first(3), 2, "the file") == 3);
    CHECK(std::memcmp(out.data(), "234", 3) == 0);
    CHECK(pread_full(fd.get(), out, 10, "the file") == 0);
    CHECK(pread_full(fd.get(), out, 1000, "the file") == 0);
}

TEST_CASE("pwrite_all and write_all write everything, where they are told")
{
    const auto data = pattern(3 << 20);
    const UniqueFd fd = memfd_holding("head");
    pwrite_all(fd.get(), data, 4096, "the file");
    struct stat st {};
    REQUIRE(::fstat(fd.get(), &st) == 0);
    CHECK(st.st_size == static_cast<off_t>(4096 + data.size()));
    std::vector<std::byte> back(data.size());
    CHECK(pread_full(fd.get(), back, 4096, "the file") == data.size());
    CHECK(back == data);

    // write_all appends at the offset, which pwrite_all did not move.
    write_all(fd.get(), bytes_of("HEAD"), "the file");
    CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 8);
    std::vector<std::byte> start(8);
    CHECK(pread_full(fd.get(), start, 0, "the file") == 8);
    CHECK(std::memcmp(start.data(), "headHEAD", 8) == 0);
}

TEST_CASE("io errors name what was read or written")
{
    const Pipe p = make_pipe();
    std::vector<std::byte> buf(8);
    CHECK_THROWS_WITH_AS(pread_full(p.read.get(), buf, 0, "the test pipe"),
                         failed("cannot read the test pipe", ESPIPE).c_str(), Error);
    CHECK_THROWS_WITH_AS(pwrite_all(p.write.get(), bytes_of("x"), 0, "the test pipe"),
                         failed("cannot write the test pipe", ESPIPE).c_str(), Error);
    CHECK_THROWS_WITH_AS(write_all(p.read.get(), bytes_of("x"), "its read end"),
                         failed("cannot write its read end", EBADF).c_str(), Error);
    CHECK_THROWS_WITH_AS(read_to_end(p.write.get(), "its write end"),
                         failed("cannot read its write end", EBADF).c_str(), Error);
}

TEST_CASE("write_all and read_to_end go on through signals and short transfers")
{
    // A blocked pipe write that a signal interrupts returns what it wrote so
    // far, or EINTR when that is nothing; so does a read. A timer signal
    // without SA_RESTART makes both happen, in a child that owns the handler.
    // The child's status: 3 write_all failed, 4 read_to_end failed, 5 the
    // bytes differ, 6 some are missing, 7 no signal came (nothing was tested).
    const int rc = test::in_child([] {
        Pipe p = make_pipe();
        ::fcntl(p.write.get(), F_SETPIPE_SZ, 4096);
        struct sigaction on_alarm {};
        on_alarm.sa_handler = count_alarm;
        if (::sigaction(SIGALRM, &on_alarm, nullptr) != 0) {
            return 2;
        }
        const auto data = pattern(8 << 20);
        std::string received;
        bool read_failed = false;
        std::thread reader([&] {
            try {
                received = read_to_end(p.read.get(), "the pipe");
            } catch (const Error& e) {
                std::fprintf(stderr, "child: %s\n", e.what());
                read_failed = true;
            }
        });
        const itimerval often{.it_interval = {.tv_sec = 0, .tv_usec = 100}, .it_value = {.tv_sec = 0, .tv_usec = 100}};
        ::setitimer(ITIMER_REAL, &often, nullptr);
        int rc = 0;
        try {
            write_all(p.write.get(), data, "the pipe");
        } catch (const Error& e) {
            std::fprintf(stderr, "child: %s\n", e.what());
            rc = 3;
        }
        const itimerval off{};
        ::setitimer(ITIMER_REAL, &off, nullptr);
        p.write.reset();
        reader.join();
        if (read_failed) {
            rc = 4;
        } else if (rc == 0 && std::memcmp(received.data(), data.data(), std::min(received.size(), data.size())) != 0) {
            rc = 5;
        } else if (rc == 0 && received.size() != data.size()) {
            rc = 6;
        }
        return rc == 0 && alarms.load() == 0 ? 7 : rc;
    });
    CHECK(rc == 0);
}
