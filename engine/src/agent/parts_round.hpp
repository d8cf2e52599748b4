#pragma once
// The job's agent's side of a generation's parts (contract/step_parts.hpp):
// it asks the registered tasks of its job's other steps for their parts,
// waits until each has written its part or failed, and moves the parts into
// its own image just before that is committed, so that the generation is
// committed whole or not at all. The tasks stay frozen until the verdict:
// the request's removal, when the round ends.
#include "agent/job_tracer.hpp"
#include "agent/part_request.hpp"
#include "agent/step_task_registry.hpp"

#include <stasis/generation_store.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <vector>

namespace stasis::agent {

// How long the job's agent waits for every part: each task's own freeze and
// dump, which run on the tasks' nodes in parallel.
inline constexpr auto part_wait_limit = std::chrono::seconds(120);

class PartsRound {
public:
    // Posts the request. Throws Error when it cannot.
    PartsRound(const GenerationStore& store, PartRequest request, std::vector<StepTask> tasks);
    // The verdict: removes the request and whatever of the parts was not
    // moved into a generation.
    ~PartsRound();
    PartsRound(const PartsRound&) = delete;
    PartsRound& operator=(const PartsRound&) = delete;

    // Waits until every task has answered or ended. Throws Error naming
    // the first part that failed (its task, host and why) or those that did
    // not answer by the limit: the generation fails.
    void wait(std::chrono::seconds limit);

    // Moves the parts under staging (the job's own image being committed)
    // and writes the list of parts there, fsync'd.
    void move_into(const std::filesystem::path& staging);

    // Seconds between the first and the last part's freeze (after wait).
    [[nodiscard]] double freeze_spread() const { return spread_; }
    // The parts written: none when every task ended meanwhile.
    [[nodiscard]] std::size_t size() const { return tasks_.size(); }

private:
    [[nodiscard]] std::optional<std::string> failure_of(const StepTask& task) const;
    [[nodiscard]] bool committed(const StepTask& task) const;
    [[nodiscard]] bool ended(const StepTask& task) const;

    const GenerationStore& store_;
    PartRequest request_;
    std::vector<StepTask> tasks_;
    std::filesystem::path staging_;
    std::vector<double> frozen_at_;  // per task, seconds since the epoch
    double spread_ = 0;
    bool moved_ = false;
};

// Removes the parts of generations that a crash left unfinished
// (ROOT/.GEN.ROUND.parts): no round is under way when a run starts.
void forget_unfinished_parts(const GenerationStore& store);

// The tasks of the job's other steps that the next generation must include:
// those registered whose launcher is a process of the job.
std::vector<StepTask> tasks_of_job(const GenerationStore& store, const JobTracer& tracer);

}  // namespace stasis::agent
