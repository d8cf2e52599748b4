#pragma once
// Durations as the image keeps them (whole nanoseconds or microseconds in
// one 64-bit number) and as the kernel's time calls take them.
#include <sys/time.h>

#include <cstdint>
#include <ctime>

namespace stasis {

inline constexpr std::int64_t ns_per_s = 1000000000;
inline constexpr std::int64_t us_per_s = 1000000;

inline std::int64_t to_ns(const timespec& t)
{
    return static_cast<std::int64_t>(t.tv_sec) * ns_per_s + t.tv_nsec;
}

inline timespec to_timespec(std::int64_t ns)
{
    return {static_cast<time_t>(ns / ns_per_s), static_cast<long>(ns % ns_per_s)};
}

inline std::int64_t to_us(const timeval& t)
{
    return static_cast<std::int64_t>(t.tv_sec) * us_per_s + t.tv_usec;
}

inline timeval to_timeval(std::int64_t us)
{
    return {static_cast<time_t>(us / us_per_s), static_cast<suseconds_t>(us % us_per_s)};
}

}  // namespace stasis
