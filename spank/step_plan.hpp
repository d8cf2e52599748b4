#pragma once
// What stasis does for one batch step, decided on the root side before any
// task starts: where the checkpoints go, whether the job resumes and from
// which generation, and when the walltime checkpoint is due.
#include "checkpoint_root.hpp"
#include "job_options.hpp"

#include <stasis/site_config.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stasis::spank {

struct StepFacts {
    std::uint32_t job_id = 0;
    JobOwner owner;
};

struct StepPlan {
    std::filesystem::path root;
    std::chrono::seconds interval{0};
    unsigned keep = 2;
    Compression compression = Compression::zstd;
    int compression_level = 1;
    std::optional<std::string> resume_from;  // else a fresh start
    std::optional<std::chrono::system_clock::time_point> stop_at;  // walltime checkpoint

    // The arguments of `stasis run`, before "--", for an agent starting now.
    [[nodiscard]] std::vector<std::string> run_arguments() const;
};

// Throws PluginError when the job cannot be checkpointed safely; the caller
// then runs it untouched.
StepPlan plan_step(const SiteConfig& settings, const JobOptions& options, const StepFacts& facts);

}  // namespace stasis::spank
