#pragma once
// A process's timers as the image keeps them: its POSIX timers
// (timer_create) with their ids, clocks, notification and the time left
// until their next expiry, and its interval timers (setitimer, alarm).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace stasis {

struct PosixTimer {
    int id = 0;  // the kernel's timer id: the timer_t the program holds
    // The clock as timer_create takes it. A CPU-time clock is kept in the
    // kernel's encoding for "the calling process / thread" (CLOCK_PROCESS_CPUTIME_ID,
    // CLOCK_THREAD_CPUTIME_ID and their profiling variants), and then
    // clock_thread names the thread whose CPU time a thread clock counts.
    int clock = 0;
    int clock_thread = -1;  // index in ProcessState::threads; -1: not a thread clock
    int notify = 0;         // SIGEV_SIGNAL, SIGEV_NONE or SIGEV_SIGNAL | SIGEV_THREAD_ID
    int target_thread = -1;  // with SIGEV_THREAD_ID: index of the thread signalled
    int signal = 0;
    std::uint64_t sigev_value = 0;
    std::int64_t value_ns = 0;  // time left until the next expiry; 0: disarmed
    std::int64_t interval_ns = 0;
};

// An armed setitimer timer (alarm() is ITIMER_REAL).
struct IntervalTimer {
    int which = 0;  // ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF
    std::int64_t value_us = 0;  // time left
    std::int64_t interval_us = 0;
};

struct TimerState {
    std::vector<PosixTimer> posix;  // in increasing id order
    std::vector<IntervalTimer> itimers;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PosixTimer, id, clock, clock_thread, notify, target_thread, signal, sigev_value,
                                   value_ns, interval_ns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IntervalTimer, which, value_us, interval_us)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TimerState, posix, itimers)

}  // namespace stasis
