#pragma once
// The options a user gives sbatch/srun/salloc: --checkpoint-interval,
// --checkpoint-dir, --checkpoint-keep, --no-checkpoint. Each value is checked
// where it is typed, so a bad one fails the submission with one line.
#include <chrono>
#include <optional>
#include <string>

#include <slurm/spank.h>

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

// The options as given so far; filled by Slurm's option callbacks.
const JobOptions& job_options();

// Registers the options with Slurm (from slurm_spank_init).
void register_job_options(spank_t spank);

// Refuses combinations no single option can see (after all are parsed).
void check_option_combination();

}  // namespace stasis::spank
