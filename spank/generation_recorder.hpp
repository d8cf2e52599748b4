#pragma once
// Keeps the job record in step with the job's checkpoints: the agent runs as
// the user and cannot change AdminComment, so slurmstepd (root) watches
// ROOT/LATEST and records each newly committed generation there.
#include "slurm_log.hpp"

#include <stasis/restart_metadata.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace stasis::spank {

class GenerationRecorder {
public:
    // job: the job's name (StepPlan::job), kept in the record with each generation.
    GenerationRecorder(JobLog log, std::filesystem::path root, std::string job);

    // Starts looking every poll_interval, on a thread of its own.
    void start(std::chrono::milliseconds poll_interval);

    // Stops the thread and records what LATEST names now.
    void finish();

private:
    void record_latest();
    void add_parts(contract::RestartMetadata& metadata, const std::filesystem::path& generation) const;

    JobLog log_;
    std::filesystem::path root_;
    std::string job_;
    std::string recorded_;  // the generation last written to the record
    std::jthread thread_;
};

}  // namespace stasis::spank
