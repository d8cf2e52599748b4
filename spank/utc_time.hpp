#pragma once
// A time as the job record shows it: UTC, ISO 8601, to the second.
#include <chrono>
#include <ctime>
#include <string>

namespace stasis::spank {

inline std::string utc_text(std::chrono::system_clock::time_point when)
{
    auto t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace stasis::spank
