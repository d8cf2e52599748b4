#pragma once
// The options a user gives sbatch/srun/salloc: --checkpoint-interval,
// --checkpoint-dir, --checkpoint-keep, --no-checkpoint. Each value is checked
// where it is typed, so a bad one fails the submission with one line.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace stasis::spank {

struct JobOptions {
    std::optional<std::chrono::seconds> interval;
    std::optional<std::string> dir;
    std::optional<unsigned> keep;
    bool no_checkpoint = false;

    // The job asked for checkpoints (and did not refuse them).
    [[nodiscard]] bool wants_checkpoints() const
    {
        return !no_checkpoint && (interval || dir || keep);
    }
};

// Slurm hands each option back by this number (job_option_table.cpp).
enum class JobOption { interval = 1, dir, keep, no_checkpoint };

// Takes one option's value as typed into options; throws PluginError, one
// line naming the option, when the value is bad.
void take_job_option(JobOptions& options, JobOption which, std::string_view value);

// Refuses combinations no single option can see (after all are taken).
void check_option_combination(const JobOptions& options);

}  // namespace stasis::spank
