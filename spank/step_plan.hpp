#pragma once
// What stasis does for one batch step, decided on the root side before any
// task starts: where the checkpoints go, how often, whether the job resumes
// and from which generation, and when the walltime checkpoint is due. The
// decisions here are pure; step_planning.cpp feeds them from Slurm and disk.
#include "job_options.hpp"
#include "job_record.hpp"

#include <stasis/site_config.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stasis::spank {

// Slurm's srun client, which the batch step's agent starts anew at restore
// (`stasis run --relaunch`): its connections lead to other nodes.
inline constexpr const char* srun_program = STASIS_SRUN;

struct StepPlan {
    std::filesystem::path root;
    std::chrono::seconds interval{0};
    unsigned keep = 2;
    Compression compression = Compression::automatic;
    int compression_level = 1;
    LogLevel log_level = LogLevel::info;
    unsigned workers = 0;
    bool write_tracking = true;
    std::optional<std::string> resume_from;  // else a fresh start
    std::optional<std::chrono::system_clock::time_point> stop_at;  // walltime checkpoint
    std::string job;  // the job's name for its generations (job_name)

    // The arguments of `stasis run`, before "--", for an agent starting at
    // now: --stop-after counts from then, in whole seconds rounded down so
    // the agent never stops later than stop_at.
    [[nodiscard]] std::vector<std::string> run_arguments(std::chrono::system_clock::time_point now) const;
};

// What stasis does for a task of one of a batch job's other steps (srun):
// it runs under `stasis run --step-of ROOT`, which only guards it and passes
// a scheduler's signal on to the batch step's agent.
// With the srun that launched the step known, each task also writes its
// part of every generation the batch step's agent commits, and a step that
// a relaunched srun started again resumes its tasks from their parts.
struct StepTaskPlan {
    std::filesystem::path root;  // the job's checkpoint directory
    LogLevel log_level = LogLevel::info;
    Compression compression = Compression::automatic;  // of the parts, as the batch step's
    int compression_level = 1;
    std::optional<pid_t> launcher;  // the step's srun, as the batch script's processes see it
    std::uint32_t step = 0;         // Slurm's step id, for the record
    // The parts the tasks resume from: GENERATION/parts/launcher-LAUNCHER.task-RANK.
    struct Resume {
        std::filesystem::path generation;
        pid_t launcher = 0;
    };
    std::optional<Resume> resume;

    [[nodiscard]] std::vector<std::string> run_arguments(unsigned rank) const;
};

// The name the job's generations record (`stasis run --job`): the one its
// record holds from an earlier run, else a new one naming the cluster, the
// job id, the user and now, which the recorder then keeps in the record.
std::string job_name(const JobRecord& record, std::uint32_t job_id, uid_t uid,
                     std::chrono::system_clock::time_point now);

// The job's --checkpoint-interval, raised to the site's min_interval; 0
// (checkpoint only at preemption and the time limit) stays 0.
std::chrono::seconds effective_interval(const SiteConfig& settings, const JobOptions& options);

struct WalltimeStop {
    std::optional<std::chrono::system_clock::time_point> at;
    std::string why_not;  // when a job with a time limit gets no stop, why
};

// When the agent checkpoints and ends the job so that it is requeued instead
// of being killed by its time limit: walltime_margin before the limit, if
// the job may be requeued and that moment is still ahead.
WalltimeStop walltime_stop(const SiteConfig& settings, const JobRecord& record,
                           std::chrono::system_clock::time_point now);

}  // namespace stasis::spank
