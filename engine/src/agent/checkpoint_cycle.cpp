#include "agent/checkpoint_cycle.hpp"

#include "agent/guarded_signals.hpp"
#include "agent/replayed_signal.hpp"
#include "agent/run_log.hpp"
#include "core/error.hpp"
#include "core/human_size.hpp"

#include <stasis/dump.hpp>

#include <exception>

namespace stasis::agent {

void CheckpointCycle::run(JobTracer& tracer, EventSource& events, const std::string& reason, bool end_job)
{
    run_log().debug("checkpoint ({}): releasing the job to the dumper", reason);
    auto released = tracer.release_all(events, FreezeDeadline(options_.freeze_timeout));
    const auto& held = released.held;
    run_log().debug("released the job; {} guarded signal(s) held back", held.size());
    std::optional<std::string> committed;
    if (!tracer.root_status()) {
        committed = dump_next(tracer.root(), reason, end_job, released.unstoppable);
    }
    if (committed) {
        publish(*committed);
        if (end_job) {
            return;  // killed frozen: nothing to hold again
        }
    }
    tracer.attach_all();
    run_log().debug("holding the job again; delivering {} held signal(s)", held.size());
    JobTracer::deliver(held);
}

std::optional<std::string> CheckpointCycle::dump_next(pid_t root, const std::string& reason, bool end_job,
                                                      const std::optional<std::string>& unstoppable)
{
    std::string name = "of the next generation";
    try {
        auto dir = store_.next_dir();
        name = dir.filename().string();
        if (unstoppable) {
            throw Error(*unstoppable);  // the guard could not let go of the job: this checkpoint fails
        }
        DumpOptions options;
        options.pid = root;
        options.dir = dir;
        options.leave_running = !end_job;
        options.keep_output = options_.keep_output;
        options.codec = options_.codec;
        options.level = options_.level;
        options.freeze_timeout = options_.freeze_timeout;
        options.relaunch = options_.relaunch;
        auto result = dump(options);
        if (discard_if_replaying(name)) {
            return std::nullopt;
        }
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

// dump committed the image before it let the job go, and with it a guarded
// signal that arrived meanwhile: the job gets it now, unguarded, and so
// would a job resumed from the image. That image is no resume point.
bool CheckpointCycle::discard_if_replaying(const std::string& generation)
{
    auto replayed = replayed_signal(store_.root() / generation);
    if (!replayed) {
        return false;
    }
    store_.remove(generation);
    auto kept = store_.latest();
    run_log().error("{} discarded: {} reached the job while it was being written, and a job resumed from it "
                    "would receive it again; {}",
                    generation, signal_name(*replayed), kept ? *kept + " is kept" : "no generation is committed yet");
    return true;
}

// LATEST first, and only then retire old generations: LATEST must never
// name a generation that is gone.
void CheckpointCycle::publish(const std::string& generation)
{
    try {
        store_.set_latest(generation);
        store_.prune(options_.keep, unusable_);
    } catch (const std::exception& e) {
        run_log().error("{} is committed, but: {}", generation, e.what());
    }
}

}  // namespace stasis::agent
