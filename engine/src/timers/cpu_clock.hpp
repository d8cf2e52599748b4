#pragma once
// The kernel's encoding of CPU-time clocks in a clockid_t: negative, the
// pid or tid it names (0: the caller itself) in the bits above the low
// three, bit 2 set for a thread's clock, the low two bits the kind of CPU
// time (profiling, virtual, scheduler). CLOCK_PROCESS_CPUTIME_ID and
// CLOCK_THREAD_CPUTIME_ID are the scheduler clocks of the caller, and the
// kernel keeps a timer's clock in this form (/proc/PID/timers shows -6, -2).
namespace stasis {

inline constexpr int cpu_clock_per_thread = 4;
inline constexpr int cpu_clock_kind_mask = 3;
inline constexpr int cpu_clock_pid_shift = 3;

inline constexpr bool is_cpu_clock(int clock)
{
    return clock < 0;
}

inline constexpr bool is_thread_cpu_clock(int clock)
{
    return (clock & cpu_clock_per_thread) != 0;
}

// The pid or tid the clock names; 0: the caller.
inline constexpr int cpu_clock_pid(int clock)
{
    return ~(clock >> cpu_clock_pid_shift);
}

// The same kind of clock, naming the caller (the process, or the calling thread).
inline constexpr int own_cpu_clock(int clock)
{
    return static_cast<int>(~0U << cpu_clock_pid_shift) | (clock & (cpu_clock_per_thread | cpu_clock_kind_mask));
}

static_assert(own_cpu_clock(-6) == -6 && own_cpu_clock(-2) == -2 && cpu_clock_pid(-6) == 0);

}  // namespace stasis
