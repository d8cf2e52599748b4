// Parsers of the kernel's /proc texts: "Key: value" lines, NSpid lists,
// /proc/PID/stat, smaps, and the fdinfo of eventfd, signalfd, timerfd and
// epoll. Fixed texts pin the format; samples made in this process check it
// against the running kernel.
#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/proc.hpp"
#include <stasis/unique_fd.hpp>
#include "event_fds/dump_event_fds.hpp"

#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace stasis;

namespace {

std::string fdinfo_of(int fd)
{
    return proc::read_text("/proc/self/fdinfo/" + std::to_string(fd));
}

// The fdinfo lines every anonymous-inode fd starts with.
constexpr char fdinfo_head[] = "pos:\t0\nflags:\t02\nmnt_id:\t17\nino:\t1038\n";

bool has(const std::vector<std::string>& flags, const std::string& flag)
{
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace

TEST_CASE("key_value finds the whole key at a line's start and trims its value")
{
    const std::string status = "Name:\tcat\n"
                               "XUid:\t7\n"
                               "SigCgt:\t0000000000004002\n"
                               "Sig:  \t short value \t\n"
                               "Uid:\t1000\t1001\t1002\t1003\n"
                               "Empty:\n"
                               "Blank:\t \t\n"
                               "Path:\t/a:b\n"
                               "Last:\t9";
    CHECK(proc::key_value(status, "Name") == "cat");
    // "Sig" is a prefix of "SigCgt", which comes first.
    CHECK(proc::key_value(status, "Sig") == "short value");
    CHECK(proc::key_value(status, "SigCgt") == "0000000000004002");
    CHECK(proc::key_value(status, "SigCg") == "");
    // "Uid" stands inside "XUid", which comes first.
    CHECK(proc::key_value(status, "Uid") == "1000\t1001\t1002\t1003");
    CHECK(proc::key_value(status, "Empty") == "");
    CHECK(proc::key_value(status, "Blank") == "");
    CHECK(proc::key_value(status, "Path") == "/a:b");
    CHECK(proc::key_value(status, "Last") == "9");
    CHECK(proc::key_value(status, "Missing") == "");
    CHECK(proc::key_value("", "Name") == "");
}

TEST_CASE("key_value reads this process's own status")
{
    const std::string status = proc::read_text("/proc/self/status");
    CHECK(proc::key_value(status, "Pid") == std::to_string(::getpid()));
    CHECK(proc::innermost_id(proc::key_value(status, "NSpid")) == ::getpid());
}

TEST_CASE("innermost_id is the last id of an NSpid list")
{
    CHECK(proc::innermost_id("123\t45\t6") == 6);
    CHECK(proc::innermost_id("4242") == 4242);
    CHECK(proc::innermost_id("") == 0);
}

TEST_CASE("Stat::parse numbers fields as proc(5) does, whatever the comm holds")
{
    // Field n holds 1000 + n, from field 4 (ppid) to 52 (exit_code).
    std::string line = "1234 (a) b) c) S";
    for (int n = 4; n <= 52; ++n) {
        line += " " + std::to_string(1000 + n);
    }
    const proc::Stat stat = proc::Stat::parse(line + "\n");
    using F = proc::StatField;
    for (const F field : {F::ppid, F::pgrp, F::session, F::tty_nr, F::tpgid, F::start_code, F::end_code,
                          F::start_stack, F::start_data, F::end_data, F::start_brk, F::arg_start, F::arg_end,
                          F::env_start, F::env_end, F::exit_code}) {
        CAPTURE(static_cast<int>(field));
        CHECK(stat.field(field) == 1000 + static_cast<std::uint64_t>(field));
    }
}

TEST_CASE("Stat::parse of this process agrees with the process's own calls")
{
    const proc::Stat stat = proc::Stat::parse(proc::read_text("/proc/self/stat"));
    CHECK(stat.field(proc::StatField::ppid) == static_cast<std::uint64_t>(::getppid()));
    CHECK(stat.field(proc::StatField::pgrp) == static_cast<std::uint64_t>(::getpgrp()));
    CHECK(stat.field(proc::StatField::session) == static_cast<std::uint64_t>(::getsid(0)));
    CHECK(proc::Stat(::getpid()).field(proc::StatField::session) == static_cast<std::uint64_t>(::getsid(0)));
}

TEST_CASE("Stat refuses a line without a comm and a field the line lacks")
{
    CHECK_THROWS_AS(proc::Stat::parse("1234 cat S 1 2 3"), Error);
    // A kernel older than the field, or a truncated read.
    const proc::Stat short_stat = proc::Stat::parse("1234 (cat) S 77 78 79 0 -1");
    CHECK(short_stat.field(proc::StatField::ppid) == 77);
    // tpgid is -1 without a terminal; dump_terminal casts the field back to a pid.
    CHECK(static_cast<pid_t>(short_stat.field(proc::StatField::tpgid)) == -1);
    CHECK_THROWS_WITH_AS(static_cast<void>(short_stat.field(proc::StatField::start_code)),
                         "/proc stat has no field 26", Error);
    // A field that is not a number is named, not a bare std::invalid_argument.
    CHECK_THROWS_WITH_AS(static_cast<void>(proc::Stat::parse("1234 (cat) S x").field(proc::StatField::ppid)),
                         "/proc stat field 4 is not a number: \"x\"", Error);
}

TEST_CASE("parse_smaps reads each mapping's header and VmFlags")
{
    // As the kernel prints it: an anonymous mapping's line ends after its
    // inode and a space; VmFlags ends with a space.
    const std::string text =
        "5581a0a00000-5581a0a0b000 r-xp 00002000 fd:01 1234567                    /opt/my app/bin/my prog\n"
        "Size:                 44 kB\n"
        "KernelPageSize:        4 kB\n"
        "Rss:                  40 kB\n"
        "VmFlags: rd ex mr mw me sd \n"
        "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
        "Size:                132 kB\n"
        "THPeligible:    1\n"
        "VmFlags: rd wr mr mw me ac \n"
        "7f1000000000-7f1000003000 rw-s 01a2b000 103:1f 98765                      /dev/shm/seg (deleted)\n"
        "Size:                 12 kB\n";
    const auto maps = proc::parse_smaps(text);
    REQUIRE(maps.size() == 3);

    CHECK(maps[0].start == 0x5581a0a00000);
    CHECK(maps[0].end == 0x5581a0a0b000);
    CHECK(maps[0].prot == "r-xp");
    CHECK(maps[0].offset == 0x2000);
    CHECK(maps[0].dev == makedev(0xfd, 0x01));
    CHECK(maps[0].inode == 1234567);
    CHECK(maps[0].path == "/opt/my app/bin/my prog");
    CHECK(maps[0].vmflags == std::vector<std::string>{"rd", "ex", "mr", "mw", "me", "sd"});

    CHECK(maps[1].start == 0x7f0000000000);
    CHECK(maps[1].end == 0x7f0000021000);
    CHECK(maps[1].dev == 0);
    CHECK(maps[1].inode == 0);
    CHECK(maps[1].path == "");
    CHECK(maps[1].vmflags == std::vector<std::string>{"rd", "wr", "mr", "mw", "me", "ac"});

    CHECK(maps[2].prot == "rw-s");
    CHECK(maps[2].offset == 0x1a2b000);
    CHECK(maps[2].dev == makedev(0x103, 0x1f));
    CHECK(maps[2].inode == 98765);
    CHECK(maps[2].path == "/dev/shm/seg (deleted)");
    CHECK(maps[2].vmflags.empty());
}

TEST_CASE("parse_smaps finds this process's own mappings")
{
    const UniqueFd memfd(::memfd_create("stasis test map", MFD_CLOEXEC));
    REQUIRE(memfd.valid());
    REQUIRE(::ftruncate(memfd.get(), 3 * page_size) == 0);
    struct stat st {};
    REQUIRE(::fstat(memfd.get(), &st) == 0);
    void* shared = ::mmap(nullptr, 2 * page_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd.get(), page_size);
    REQUIRE(shared != MAP_FAILED);
    // A readable page between two inaccessible ones: a mapping of its own,
    // which the kernel cannot merge with a neighbour.
    auto* guarded = static_cast<char*>(::mmap(nullptr, 3 * page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    REQUIRE(guarded != MAP_FAILED);
    char* anon = guarded + page_size;
    REQUIRE(::mprotect(anon, page_size, PROT_READ) == 0);

    const auto maps = proc::smaps(::getpid());
    auto at = [&maps](const void* address) {
        const auto start = reinterpret_cast<std::uint64_t>(address);
        return std::find_if(maps.begin(), maps.end(), [start](const proc::MapEntry& e) { return e.start == start; });
    };
    const auto memfd_map = at(shared);
    REQUIRE(memfd_map != maps.end());
    CHECK(memfd_map->end == memfd_map->start + 2 * page_size);
    CHECK(memfd_map->prot == "rw-s");
    CHECK(memfd_map->offset == page_size);
    CHECK(memfd_map->dev == st.st_dev);
    CHECK(memfd_map->inode == st.st_ino);
    CHECK(memfd_map->path == "/memfd:stasis test map (deleted)");
    CHECK(has(memfd_map->vmflags, "sh"));
    CHECK(has(memfd_map->vmflags, "wr"));

    const auto anon_map = at(anon);
    REQUIRE(anon_map != maps.end());
    CHECK(anon_map->end == anon_map->start + page_size);
    CHECK(anon_map->prot == "r--p");
    CHECK(anon_map->path == "");
    CHECK(anon_map->inode == 0);
    CHECK(has(anon_map->vmflags, "rd"));
    CHECK_FALSE(has(anon_map->vmflags, "wr"));
    ::munmap(shared, 2 * page_size);
    ::munmap(guarded, 3 * page_size);
}

TEST_CASE("parse_eventfd reads the counter in hex and the semaphore flag")
{
    const std::string text = std::string(fdinfo_head) +
                             "eventfd-count:        12345678e\n"
                             "eventfd-id: 2\n"
                             "eventfd-semaphore: 1\n";
    const EventFdState e = parse_eventfd(text);
    CHECK(e.count == 0x12345678e);
    CHECK(e.semaphore);
    // Older kernels print no semaphore line.
    CHECK_FALSE(parse_eventfd(std::string(fdinfo_head) + "eventfd-count:        0\neventfd-id: 2\n").semaphore);
    CHECK_THROWS_WITH_AS(parse_eventfd(std::string(fdinfo_head) + "eventfd-id: 2\n"), "fdinfo lacks 'eventfd-count'",
                         Error);

    const UniqueFd semaphore(::eventfd(5, EFD_SEMAPHORE | EFD_CLOEXEC));
    const UniqueFd counter(::eventfd(0, EFD_CLOEXEC));
    REQUIRE(semaphore.valid());
    REQUIRE(counter.valid());
    const std::uint64_t add = 0x123456789;
    REQUIRE(::write(semaphore.get(), &add, sizeof add) == sizeof add);
    const EventFdState live = parse_eventfd(fdinfo_of(semaphore.get()));
    CHECK(live.count == 0x12345678e);
    CHECK(live.semaphore);
    const EventFdState plain = parse_eventfd(fdinfo_of(counter.get()));
    CHECK(plain.count == 0);
    CHECK_FALSE(plain.semaphore);
}

TEST_CASE("parse_signalfd reads the mask as the kernel's signal set")
{
    const std::uint64_t usr1_term = signal_bit(SIGUSR1) | signal_bit(SIGTERM);
    CHECK(parse_signalfd(std::string(fdinfo_head) + "sigmask:\t0000000000004200\n").mask == usr1_term);
    CHECK_THROWS_WITH_AS(parse_signalfd(fdinfo_head), "fdinfo lacks 'sigmask'", Error);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGTERM);
    const UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC));
    REQUIRE(fd.valid());
    CHECK(parse_signalfd(fdinfo_of(fd.get())).mask == usr1_term);
}

TEST_CASE("parse_timerfd reads the clock, ticks and remaining time")
{
    const std::string text = std::string(fdinfo_head) +
                             "clockid: 1\n"
                             "ticks: 3\n"
                             "settime flags: 00\n"
                             "it_value: (99, 999984279)\n"
                             "it_interval: (3, 500)\n";
    const TimerFdState t = parse_timerfd(text);
    CHECK(t.clockid == CLOCK_MONOTONIC);
    CHECK(t.ticks == 3);
    CHECK(t.value_ns == 99'999'984'279);
    CHECK(t.interval_ns == 3'000'000'500);

    auto without = [&text](const std::string& line) {
        std::string cut = text;
        cut.erase(cut.find(line), line.size());
        return cut;
    };
    CHECK_THROWS_WITH_AS(parse_timerfd(without("clockid: 1\n")), "fdinfo lacks 'clockid'", Error);
    CHECK_THROWS_WITH_AS(parse_timerfd(without("ticks: 3\n")), "fdinfo lacks 'ticks'", Error);
    CHECK_THROWS_WITH_AS(parse_timerfd(without("it_value: (99, 999984279)\n")), "fdinfo lacks 'it_value'", Error);
    CHECK_THROWS_WITH_AS(parse_timerfd(without("it_interval: (3, 500)\n") + "it_interval: (3\n"),
                         "fdinfo lacks 'it_interval'", Error);
}

TEST_CASE("parse_timerfd of live timers: one armed, one expired")
{
    const UniqueFd armed(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    REQUIRE(armed.valid());
    const itimerspec long_wait{.it_interval = {.tv_sec = 3, .tv_nsec = 500}, .it_value = {.tv_sec = 100, .tv_nsec = 0}};
    REQUIRE(::timerfd_settime(armed.get(), 0, &long_wait, nullptr) == 0);
    const TimerFdState a = parse_timerfd(fdinfo_of(armed.get()));
    CHECK(a.clockid == CLOCK_MONOTONIC);
    CHECK(a.ticks == 0);
    CHECK(a.interval_ns == 3'000'000'500);
    // Time left, not the time set: a little under 100 s.
    CHECK(a.value_ns <= 100'000'000'000);
    CHECK(a.value_ns > 90'000'000'000);

    const UniqueFd expired(::timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC));
    REQUIRE(expired.valid());
    const itimerspec at_once{.it_interval = {.tv_sec = 0, .tv_nsec = 0}, .it_value = {.tv_sec = 0, .tv_nsec = 1}};
    REQUIRE(::timerfd_settime(expired.get(), 0, &at_once, nullptr) == 0);
    pollfd ready{.fd = expired.get(), .events = POLLIN, .revents = 0};
    REQUIRE(::poll(&ready, 1, 5000) == 1);
    const TimerFdState e = parse_timerfd(fdinfo_of(expired.get()));
    CHECK(e.clockid == CLOCK_REALTIME);
    CHECK(e.ticks == 1);
    CHECK(e.value_ns == 0);
    CHECK(e.interval_ns == 0);
}

TEST_CASE("parse_epoll reads every watch: fd in decimal, events and data in hex")
{
    const std::string text = std::string(fdinfo_head) +
                             "tfd:        5 events:       1c data:                7  pos:0 ino:40e sdev:10\n"
                             "tfd:        3 events: 80000019 data:     deadbeefcafe  pos:0 ino:40e sdev:10\n";
    const EpollState e = parse_epoll(text);
    REQUIRE(e.watches.size() == 2);
    CHECK(e.watches[0].fd == 5);
    CHECK(e.watches[0].events == 0x1c);
    CHECK(e.watches[0].data == 7);
    CHECK(e.watches[1].fd == 3);
    CHECK(e.watches[1].events == 0x80000019);
    CHECK(e.watches[1].data == 0xdeadbeefcafe);
    CHECK(parse_epoll(fdinfo_head).watches.empty());
}

TEST_CASE("parse_epoll refuses a watch line it cannot read whole")
{
    // Read loosely, these became watches of the wrong fd or events.
    for (const char* line : {"tfd:        5 data:                7  pos:0\n", "tfd:        x events:       1c data: 7\n",
                             "tfd:        5 events:       1c\n"}) {
        CAPTURE(line);
        CHECK_THROWS_WITH_AS(parse_epoll(std::string(fdinfo_head) + line),
                             doctest::Contains("an epoll's fdinfo has a malformed watch line"), Error);
    }
    CHECK_THROWS_WITH_AS(parse_eventfd(std::string(fdinfo_head) + "eventfd-count: zz\n"),
                         "fdinfo 'eventfd-count' is not a number: \"zz\"", Error);
}

TEST_CASE("parse_epoll of a live epoll")
{
    const UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    const UniqueFd readable(::eventfd(0, EFD_CLOEXEC));
    const UniqueFd writable(::eventfd(0, EFD_CLOEXEC));
    REQUIRE(epoll.valid());
    REQUIRE(readable.valid());
    REQUIRE(writable.valid());
    epoll_event in{};
    in.events = EPOLLIN | EPOLLET;
    in.data.u64 = 0xdeadbeefcafe;
    REQUIRE(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, readable.get(), &in) == 0);
    epoll_event out{};
    out.events = EPOLLOUT;
    out.data.u64 = 7;
    REQUIRE(::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, writable.get(), &out) == 0);

    const EpollState e = parse_epoll(fdinfo_of(epoll.get()));
    REQUIRE(e.watches.size() == 2);
    // The kernel lists watches in its own order, not the order they were added.
    auto watch_of = [&e](int fd) {
        auto it = std::find_if(e.watches.begin(), e.watches.end(), [fd](const EpollWatch& w) { return w.fd == fd; });
        REQUIRE(it != e.watches.end());
        return *it;
    };
    // epoll_ctl adds EPOLLERR and EPOLLHUP to every watch, and fdinfo shows them.
    const EpollWatch r = watch_of(readable.get());
    CHECK(r.events == static_cast<std::uint32_t>(EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP));
    CHECK(r.data == 0xdeadbeefcafe);
    const EpollWatch w = watch_of(writable.get());
    CHECK(w.events == static_cast<std::uint32_t>(EPOLLOUT | EPOLLERR | EPOLLHUP));
    CHECK(w.data == 7);
}
