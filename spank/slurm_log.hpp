#pragma once
// The plugin's log lines, through Slurm's own logging, each naming the job.
#include <slurm/spank.h>
#include <spdlog/fmt/fmt.h>

#include <cstdint>
#include <string>

namespace stasis::spank {

template <typename... Args>
void log_info(std::uint32_t job_id, fmt::format_string<Args...> format, Args&&... args)
{
    auto line = fmt::format(format, std::forward<Args>(args)...);
    slurm_info("stasis: job %u: %s", job_id, line.c_str());
}

template <typename... Args>
void log_error(std::uint32_t job_id, fmt::format_string<Args...> format, Args&&... args)
{
    auto line = fmt::format(format, std::forward<Args>(args)...);
    slurm_error("stasis: job %u: %s", job_id, line.c_str());
}

}  // namespace stasis::spank
