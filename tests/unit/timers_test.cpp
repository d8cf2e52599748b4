// POSIX timers at dump: /proc/PID/timers as the kernel prints it, the
// kernel's encoding of CPU-time clocks, and the description of this
// process's own timers (ids, clocks, notification, the thread signalled),
// with the refusal of a thread clock whose thread cannot be told.
#include "core/error.hpp"
#include "core/proc.hpp"
#include "timers/cpu_clock.hpp"
#include "timers/dump_timers.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace stasis;

namespace {

// Measured on 6.18: a glibc timer with a NULL sigevent, one signalling a
// thread on its thread clock, one SIGEV_NONE on the process clock.
constexpr const char* listing = "ID: 8\n"
                                "signal: 14/0000000000000008\n"
                                "notify: signal/pid.3070\n"
                                "ClockID: 0\n"
                                "ID: 7\n"
                                "signal: 10/1122334455667788\n"
                                "notify: signal/tid.3071\n"
                                "ClockID: -2\n"
                                "ID: 5\n"
                                "signal: 10/ffffffffffffffff\n"
                                "notify: none/pid.3070\n"
                                "ClockID: -6\n";

timer_t make_timer(clockid_t clock, int notify, int sig, int value)
{
    sigevent ev{};
    ev.sigev_notify = notify;
    ev.sigev_signo = sig;
    ev.sigev_value.sival_int = value;
    ev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
    timer_t id{};
    REQUIRE(::timer_create(clock, &ev, &id) == 0);
    return id;
}

int id_of(timer_t t)
{
    return static_cast<int>(reinterpret_cast<std::intptr_t>(t));
}

}  // namespace

TEST_CASE("parse_proc_timers reads each timer's id, signal, value, notification and clock")
{
    auto timers = parse_proc_timers(listing);
    REQUIRE(timers.size() == 3);
    CHECK(timers[0].id == 8);
    CHECK(timers[0].signal == SIGALRM);
    CHECK(timers[0].sigev_value == 8);
    CHECK(timers[0].notify == "signal");
    CHECK_FALSE(timers[0].to_thread);
    CHECK(timers[0].target == 3070);
    CHECK(timers[0].clock == CLOCK_REALTIME);
    CHECK(timers[1].to_thread);
    CHECK(timers[1].target == 3071);
    CHECK(timers[1].sigev_value == 0x1122334455667788);
    CHECK(timers[1].clock == -2);
    CHECK(timers[2].notify == "none");
    CHECK(timers[2].sigev_value == 0xffffffffffffffff);
    CHECK(parse_proc_timers("").empty());
    CHECK_THROWS_AS(parse_proc_timers("signal: 14/0\n"), Error);
    CHECK_THROWS_AS(parse_proc_timers("ID: 1\nnotify: signal\n"), Error);
    CHECK_THROWS_AS(parse_proc_timers("ID: 1\nsignal: 14\n"), Error);
}

TEST_CASE("CPU clocks: the caller's own, and one naming a pid or tid")
{
    CHECK(is_cpu_clock(-6));
    CHECK_FALSE(is_cpu_clock(CLOCK_BOOTTIME));
    CHECK(is_thread_cpu_clock(-2));
    CHECK_FALSE(is_thread_cpu_clock(-6));
    clockid_t of_pid{};
    REQUIRE(::clock_getcpuclockid(::getpid(), &of_pid) == 0);
    CHECK(cpu_clock_pid(of_pid) == ::getpid());
    CHECK(own_cpu_clock(of_pid) == -6);
    clockid_t of_thread{};
    REQUIRE(::pthread_getcpuclockid(::pthread_self(), &of_thread) == 0);
    CHECK(is_thread_cpu_clock(of_thread));
    CHECK(own_cpu_clock(of_thread) == -2);
}

TEST_CASE("describe_posix_timers: this process's timers, and a thread clock it cannot place")
{
    const pid_t pid = ::getpid();
    const auto tids = proc::threads(pid);
    auto to_me = make_timer(CLOCK_REALTIME, SIGEV_SIGNAL | SIGEV_THREAD_ID, SIGRTMIN + 1, 41);
    auto silent = make_timer(CLOCK_PROCESS_CPUTIME_ID, SIGEV_NONE, SIGRTMIN, 42);
    std::vector<PosixTimer> described = describe_posix_timers(pid, tids);
    const auto me = std::find(tids.begin(), tids.end(), static_cast<pid_t>(::syscall(SYS_gettid)));
    REQUIRE(me != tids.end());
    auto find = [&](timer_t t) {
        auto it = std::find_if(described.begin(), described.end(), [&](const PosixTimer& d) { return d.id == id_of(t); });
        REQUIRE(it != described.end());
        return *it;
    };
    const PosixTimer a = find(to_me);
    CHECK(a.clock == CLOCK_REALTIME);
    CHECK(a.clock_thread == -1);
    CHECK(a.notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID));
    CHECK(a.target_thread == static_cast<int>(me - tids.begin()));
    CHECK(a.signal == SIGRTMIN + 1);
    CHECK(a.sigev_value == 41);
    const PosixTimer b = find(silent);
    CHECK(b.clock == -6);
    CHECK(b.notify == SIGEV_NONE);
    CHECK(std::is_sorted(described.begin(), described.end(),
                         [](const PosixTimer& x, const PosixTimer& y) { return x.id < y.id; }));

    // A thread clock named by its thread is placed; one created as "the
    // calling thread's" is placed only when the process has one thread.
    auto on_thread = make_timer(CLOCK_THREAD_CPUTIME_ID, SIGEV_NONE, SIGRTMIN, 43);
    if (tids.size() == 1) {
        described = describe_posix_timers(pid, tids);
        CHECK(find(on_thread).clock_thread == 0);
    }
    std::vector<pid_t> two_threads{pid, 999999999};
    CHECK_THROWS_WITH_AS(describe_posix_timers(pid, two_threads),
                         doctest::Contains("does not tell which of the process's 2 threads"), Error);
    for (auto t : {to_me, silent, on_thread}) {
        ::timer_delete(t);
    }
}
