#pragma once
// The plugin's log lines, through Slurm's own logging, each naming the job,
// and as many as the site's log_level asks for. Slurm filters its own info
// lines out only below SlurmdDebug=info, so debug lines go out as info
// lines: log_level alone decides whether the plugin's lines are seen.
#include <slurm/spank.h>
#include <spdlog/fmt/fmt.h>
#include <stasis/site_config.hpp>

#include <cstdint>
#include <string>

namespace stasis::spank {

class JobLog {
public:
    // Before the job is known (sbatch, srun): lines say only "stasis: ...".
    JobLog() = default;
    JobLog(std::uint32_t job_id, LogLevel level) : job_id_(job_id), level_(level) {}

    [[nodiscard]] std::uint32_t job_id() const { return job_id_; }

    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) const
    {
        write(slurm_error, fmt::format(format, std::forward<Args>(args)...));
    }

    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) const
    {
        if (level_ <= LogLevel::info) {
            write(slurm_info, fmt::format(format, std::forward<Args>(args)...));
        }
    }

    template <typename... Args>
    void debug(fmt::format_string<Args...> format, Args&&... args) const
    {
        if (level_ <= LogLevel::debug) {
            write(slurm_info, "debug: " + fmt::format(format, std::forward<Args>(args)...));
        }
    }

private:
    void write(void (*sink)(const char*, ...), const std::string& line) const
    {
        if (job_id_ != 0) {
            sink("stasis: job %u: %s", job_id_, line.c_str());
        } else {
            sink("stasis: %s", line.c_str());
        }
    }

    std::uint32_t job_id_ = 0;
    LogLevel level_ = LogLevel::info;
};

}  // namespace stasis::spank
