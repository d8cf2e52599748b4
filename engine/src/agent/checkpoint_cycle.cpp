#include "agent/checkpoint_cycle.hpp"

#include "agent/human_size.hpp"
#include "agent/run_log.hpp"
#include "dump.hpp"

#include <exception>

namespace stasis::agent {

CheckpointOutcome CheckpointCycle::run(JobTracer& tracer, EventSource& events, const std::string& reason,
                                       bool end_job)
{
    CheckpointOutcome outcome;
    outcome.held = tracer.release_all(events);
    if (!tracer.root_status()) {
        outcome.committed = dump_next(tracer.root(), reason, end_job);
    }
    if (outcome.committed) {
        publish(*outcome.committed);
        if (end_job) {
            return outcome;  // killed frozen: nothing to hold again
        }
    }
    tracer.attach_all();
    JobTracer::deliver(outcome.held);
    return outcome;
}

std::optional<std::string> CheckpointCycle::dump_next(pid_t root, const std::string& reason, bool end_job)
{
    std::string name = "of the next generation";
    try {
        auto dir = store_.next_dir();
        name = dir.filename().string();
        DumpOptions options;
        options.pid = root;
        options.dir = dir;
        options.leave_running = !end_job;
        auto result = dump(options);
        run_log().info("{} committed ({}): {} of memory, {} stored, {:.3f} s frozen", name, reason,
                       human_size(result.memory_bytes), human_size(result.stored_bytes), result.frozen_seconds);
        return name;
    } catch (const std::exception& e) {
        auto kept = store_.latest();
        run_log().error("checkpoint {} failed ({}): {}; {}, {}", name, reason, e.what(),
                        end_job ? "the job ends without it" : "the job runs on",
                        kept ? *kept + " is kept" : "no generation is committed yet");
        return std::nullopt;
    }
}

// LATEST first, and only then retire old generations: LATEST must never
// name a generation that is gone.
void CheckpointCycle::publish(const std::string& generation)
{
    try {
        store_.set_latest(generation);
        store_.prune(keep_, unusable_);
    } catch (const std::exception& e) {
        run_log().error("{} is committed, but: {}", generation, e.what());
    }
}

}  // namespace stasis::agent
