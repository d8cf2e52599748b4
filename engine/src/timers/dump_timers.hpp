#pragma once
// The dump half of timers: which POSIX timers a process has, from
// /proc/PID/timers (refusing those stasis cannot make again), and, inside
// the process's injection session, what only the process can tell: each
// timer's time left (timer_gettime) and its interval timers (getitimer).
#include "core/syscall_injector.hpp"
#include "timers/timer_state.hpp"

#include <sys/types.h>

#include <string>
#include <vector>

namespace stasis {

// One record of /proc/PID/timers.
struct ListedTimer {
    int id = 0;
    int signal = 0;
    std::uint64_t sigev_value = 0;
    std::string notify;      // "signal", "none" or "thread"
    bool to_thread = false;  // "tid.N" (SIGEV_THREAD_ID) rather than "pid.N"
    pid_t target = 0;        // N, as stasis sees it
    int clock = 0;
};

// Throws an Error for text that is not a list of such records.
std::vector<ListedTimer> parse_proc_timers(const std::string& text);

// Survey, before any process is touched: the POSIX timers of pid (whose
// threads are tids, leader first), their times not read yet; throws the
// Error that refuses a timer stasis cannot recreate.
std::vector<PosixTimer> describe_posix_timers(pid_t pid, const std::vector<pid_t>& tids);

// Injection session (inj: a thread of pid; scratch: a page of pid's):
// fills the time left and interval of every described POSIX timer, and
// lists the armed interval timers.
void read_timer_times(pid_t pid, SyscallInjector& inj, std::uint64_t scratch, TimerState& timers);

}  // namespace stasis
