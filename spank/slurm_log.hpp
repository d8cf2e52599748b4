#pragma once
// The plugin's log lines, through Slurm's own logging, each naming the job.
#include <slurm/spank.h>
#include <spdlog/fmt/fmt.h>

#include <cstdint>
#include <string>

namespace stasis::spank {

class JobLog {
public:
    // Before the job is known (sbatch, srun): lines say only "stasis: ...".
    JobLog() = default;
    explicit JobLog(std::uint32_t job_id) : job_id_(job_id) {}

    [[nodiscard]] std::uint32_t job_id() const { return job_id_; }

    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) const
    {
        write(slurm_error, fmt::format(format, std::forward<Args>(args)...));
    }

    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) const
    {
        write(slurm_info, fmt::format(format, std::forward<Args>(args)...));
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
};

}  // namespace stasis::spank
