#include "timers/dump_timers.hpp"

#include "core/durations.hpp"
#include "core/error.hpp"
#include "core/proc.hpp"
#include "core/remote_memory.hpp"
#include "timers/cpu_clock.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <algorithm>
#include <sstream>

namespace stasis {

namespace {

std::string process_name(pid_t pid)
{
    return "process " + std::to_string(pid);
}

// "signal/pid.3070" -> notify "signal", to_thread false, target 3070
void parse_notify(const std::string& value, ListedTimer& t)
{
    auto slash = value.find('/');
    auto dot = value.find('.', slash == std::string::npos ? 0 : slash);
    if (slash == std::string::npos || dot == std::string::npos) {
        throw Error("/proc timers: malformed notify \"" + value + "\"");
    }
    t.notify = value.substr(0, slash);
    auto kind = value.substr(slash + 1, dot - slash - 1);
    if (kind != "pid" && kind != "tid") {
        throw Error("/proc timers: malformed notify \"" + value + "\"");
    }
    t.to_thread = kind == "tid";
    t.target = static_cast<pid_t>(proc::parse_number(value.substr(dot + 1), 10, "/proc timers' notify target"));
}

// "14/00007f0012345678" -> signal 14, sigev_value 0x7f0012345678
void parse_signal(const std::string& value, ListedTimer& t)
{
    auto slash = value.find('/');
    if (slash == std::string::npos) {
        throw Error("/proc timers: malformed signal \"" + value + "\"");
    }
    t.signal = static_cast<int>(proc::parse_number(value.substr(0, slash), 10, "/proc timers' signal"));
    t.sigev_value = proc::parse_number(value.substr(slash + 1), 16, "/proc timers' sigev_value");
}

int notify_kind(const ListedTimer& listed)
{
    int kind = 0;
    if (listed.notify == "signal") {
        kind = SIGEV_SIGNAL;
    } else if (listed.notify == "none") {
        kind = SIGEV_NONE;
    } else if (listed.notify == "thread") {
        kind = SIGEV_THREAD;
    } else {
        throw Error("/proc timers: unknown notification \"" + listed.notify + "\"");
    }
    return listed.to_thread ? kind | SIGEV_THREAD_ID : kind;
}

int thread_index(const std::vector<pid_t>& ids, pid_t id)
{
    auto it = std::find(ids.begin(), ids.end(), id);
    return it == ids.end() ? -1 : static_cast<int>(it - ids.begin());
}

// The ids the threads have in their own PID namespace: a CPU clock names
// a thread as the process saw it when it asked for the clock.
std::vector<pid_t> own_thread_ids(pid_t pid, const std::vector<pid_t>& tids)
{
    std::vector<pid_t> own;
    for (pid_t tid : tids) {
        own.push_back(proc::innermost_id(proc::status_field(pid, tid, "NSpid")));
    }
    return own;
}

// Which thread's CPU time a thread clock counts, or a refusal.
int clock_thread_of(pid_t pid, const std::vector<pid_t>& tids, const ListedTimer& listed)
{
    pid_t named = cpu_clock_pid(listed.clock);
    std::string timer = process_name(pid) + ": POSIX timer " + std::to_string(listed.id);
    if (named == 0) {
        if (tids.size() == 1) {
            return 0;
        }
        throw Error(timer + " counts the CPU time of the thread that created it, and the kernel does not tell "
                            "which of the process's " + std::to_string(tids.size()) +
                    " threads that is; stasis cannot checkpoint it");
    }
    int index = thread_index(own_thread_ids(pid, tids), named);
    if (index < 0) {
        throw Error(timer + " counts the CPU time of thread " + std::to_string(named) +
                    ", which is not one of the process's threads; stasis cannot checkpoint it");
    }
    return index;
}

PosixTimer describe(pid_t pid, const std::vector<pid_t>& tids, const ListedTimer& listed)
{
    PosixTimer t;
    t.id = listed.id;
    t.signal = listed.signal;
    t.sigev_value = listed.sigev_value;
    t.notify = notify_kind(listed);
    if (listed.to_thread) {
        t.target_thread = thread_index(tids, listed.target);
        if (t.target_thread < 0) {
            throw Error(process_name(pid) + ": POSIX timer " + std::to_string(listed.id) + " signals thread " +
                        std::to_string(listed.target) + ", which is not one of its threads");
        }
    }
    t.clock = listed.clock;
    if (is_cpu_clock(listed.clock)) {
        // A process clock may name the process itself by pid: the same
        // clock, which the restored process (maybe of another pid) names by 0.
        bool per_thread = is_thread_cpu_clock(listed.clock);
        t.clock = own_cpu_clock(listed.clock);
        t.clock_thread = per_thread ? clock_thread_of(pid, tids, listed) : -1;
    }
    return t;
}

}  // namespace

std::vector<ListedTimer> parse_proc_timers(const std::string& text)
{
    std::vector<ListedTimer> timers;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(": ");
        if (line.empty()) {
            continue;
        }
        if (colon == std::string::npos) {
            throw Error("/proc timers: malformed line \"" + line + "\"");
        }
        auto key = line.substr(0, colon);
        auto value = line.substr(colon + 2);
        if (key == "ID") {
            timers.emplace_back();
            timers.back().id = static_cast<int>(proc::parse_number(value, 10, "/proc timers' ID"));
        } else if (timers.empty()) {
            throw Error("/proc timers: \"" + line + "\" before any ID");
        } else if (key == "signal") {
            parse_signal(value, timers.back());
        } else if (key == "notify") {
            parse_notify(value, timers.back());
        } else if (key == "ClockID") {
            timers.back().clock = std::stoi(value);
        }
    }
    return timers;
}

std::vector<PosixTimer> describe_posix_timers(pid_t pid, const std::vector<pid_t>& tids)
{
    std::vector<PosixTimer> timers;
    for (const auto& listed : parse_proc_timers(proc::read_text("/proc/" + std::to_string(pid) + "/timers"))) {
        timers.push_back(describe(pid, tids, listed));
    }
    std::sort(timers.begin(), timers.end(), [](const PosixTimer& a, const PosixTimer& b) { return a.id < b.id; });
    return timers;
}

void read_timer_times(pid_t pid, SyscallInjector& inj, std::uint64_t scratch, TimerState& timers)
{
    for (auto& t : timers.posix) {
        inj.checked("timer_gettime", SYS_timer_gettime, {static_cast<std::uint64_t>(t.id), scratch});
        auto spec = read_remote_value<itimerspec>(pid, scratch);
        t.value_ns = to_ns(spec.it_value);
        t.interval_ns = to_ns(spec.it_interval);
    }
    for (int which : {ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF}) {
        inj.checked("getitimer", SYS_getitimer, {static_cast<std::uint64_t>(which), scratch});
        auto value = read_remote_value<itimerval>(pid, scratch);
        if (to_us(value.it_value) != 0) {
            timers.itimers.push_back({which, to_us(value.it_value), to_us(value.it_interval)});
        }
    }
}

}  // namespace stasis
