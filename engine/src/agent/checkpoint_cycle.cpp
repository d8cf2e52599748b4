#include "agent/checkpoint_cycle.hpp"

#include "agent/guarded_signals.hpp"
#include "agent/replayed_signal.hpp"
#include "agent/run_log.hpp"
#include "core/error.hpp"
#include "core/human_size.hpp"

#include <stasis/dump.hpp>

#include <atomic>
#include <exception>
#include <future>
#include <utility>

namespace stasis::agent {

namespace {

std::uint64_t now_in_ns()
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

std::string describe_parts(const PartsRound& parts)
{
    return fmt::format(", with the parts of {} step task(s), frozen within {:.3f} s of each other", parts.size(),
                       parts.freeze_spread());
}

}  // namespace

void CheckpointCycle::run(JobTracer& tracer, EventSource& events, const std::string& reason, bool end_job)
{
    std::optional<std::string> committed;
    std::filesystem::path dir;
    std::optional<PartsRound> parts;
    std::optional<std::string> refusal;
    std::optional<PreCopy> pre_copied;
    pre_copy_failure_.reset();
    try {
        dir = store_.next_dir();
        // At a preemption the grace time is short: straight to the freeze.
        // Before any step's tasks are frozen for their parts.
        if (!end_job) {
            pre_copied = pre_copy_into(dir, tracer, events);
        }
        auto tasks = tasks_of_job(store_, tracer);
        if (!tasks.empty()) {
            // Before the job itself is let go of: its steps' tasks are
            // frozen, and their output is through the job's, before the
            // job's output is kept.
            parts.emplace(store_, PartRequest{dir.filename().string(), now_in_ns(), end_job, reason}, std::move(tasks));
            parts->wait(part_wait_limit);
        }
    } catch (const std::exception& e) {
        refusal = e.what();
    }
    run_log().debug("checkpoint ({}): stopping the job", reason);
    auto hold = tracer.hold_all(events, FreezeDeadline(options_.freeze_timeout));
    run_log().debug("the job is stopped; {} guarded signal(s) held back", hold.held.size());
    if (!refusal) {
        refusal = hold.unstoppable;
    }
    bool let_go = false;
    auto let_job_go = [&] {
        // Sent while the job is still stopped, each held signal reaches its
        // thread where the guard held it, before the thread runs on: as if it
        // had never been held (a thread resumed first runs on at once when its
        // sleep ran out during the checkpoint, and gets the signal elsewhere).
        run_log().debug("delivering {} held signal(s); the job runs again", hold.held.size());
        JobTracer::deliver(hold.held);
        tracer.resume_held();
        let_go = true;
    };
    if (!tracer.root_status()) {
        // A job that runs on is let go once its image is read, before the
        // image is made durable (DumpOptions::after_capture).
        committed = dump_next(tracer.root(), hold.processes, dir, reason, end_job, refusal, parts ? &*parts : nullptr,
                              let_job_go, pre_copied ? &*pre_copied : nullptr);
    }
    parts.reset();  // the tasks' verdict, once the job's own image is in
    if (committed) {
        publish(*committed);
        if (end_job) {
            return;  // killed frozen: nothing to let go of
        }
    }
    if (!let_go) {
        let_job_go();
    }
}

std::optional<std::string> CheckpointCycle::dump_next(pid_t root, const std::map<pid_t, HeldProcess>& held,
                                                      const std::filesystem::path& dir,
                                                      const std::string& reason, bool end_job,
                                                      const std::optional<std::string>& refusal, PartsRound* parts,
                                                      const std::function<void()>& let_job_go,
                                                      const PreCopy* pre_copied)
{
    std::string name = dir.empty() ? "of the next generation" : dir.filename().string();
    try {
        if (refusal) {
            throw Error(*refusal);  // the job cannot be let go of, or a part failed: this checkpoint fails
        }
        DumpOptions options = dump_options(dir);
        options.pid = root;
        options.held = held;
        options.leave_running = !end_job;
        options.after_capture = let_job_go;
        options.keep_output = options_.keep_output;
        options.freeze_timeout = options_.freeze_timeout;
        options.relaunch = options_.relaunch;
        options.job = options_.job;
        options.pre_copied = pre_copied;
        if (parts && parts->size() > 0) {
            options.before_commit = [parts](const std::filesystem::path& staging) { parts->move_into(staging); };
        }
        auto result = dump(options);
        if (discard_if_replaying(name)) {
            return std::nullopt;
        }
        name_in_latest(name);
        if (tracking_) {
            tracking_->committed(name);
        }
        run_log().info("{} committed ({}): {}{}{}", name, reason, describe(result),
                       parts && parts->size() > 0 ? describe_parts(*parts) : std::string(),
                       pre_copy_failure_ ? "; the pre-copy failed (" + *pre_copy_failure_ + "): all of it read frozen"
                                         : std::string());
        parent_ = name;
        return name;
    } catch (const std::exception& e) {
        auto kept = store_.latest();
        run_log().error("checkpoint {} failed ({}): {}; {}, {}", name, reason, e.what(),
                        end_job ? "the job ends without it" : "the job runs on",
                        kept ? *kept + " is kept" : "no generation is committed yet");
        return std::nullopt;
    }
}

DumpOptions CheckpointCycle::dump_options(const std::filesystem::path& dir)
{
    DumpOptions options;
    options.dir = dir;
    options.compression = options_.compression;
    options.level = options_.level;
    options.workers = options_.workers;
    options.tracking = tracking_ ? &*tracking_ : nullptr;
    if (parent_) {
        options.parent = store_.root() / *parent_;
    }
    return options;
}

PreCopy CheckpointCycle::pre_copy_guarded(const DumpOptions& options, JobTracer& tracer, EventSource& events)
{
    std::atomic<bool> keep_going{true};
    pre_copying_ = true;
    auto copy = std::async(std::launch::async, [&] { return pre_copy(options, [&] { return keep_going.load(); }); });
    while (copy.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (auto event = events.next(Clock::now() + std::chrono::milliseconds(20))) {
            tracer.handle(*event);
        }
        if (!tracer.held_signals().empty() || events.has_signals() || tracer.root_status()) {
            keep_going = false;
        }
    }
    pre_copying_ = false;
    for (pid_t pid : std::exchange(forgotten_, {})) {
        forget(pid);
    }
    return copy.get();
}

std::optional<PreCopy> CheckpointCycle::pre_copy_into(const std::filesystem::path& dir, JobTracer& tracer,
                                                      EventSource& events)
{
    if (!tracking_ || !parent_ || dir.empty()) {
        return std::nullopt;
    }
    try {
        auto started = std::chrono::steady_clock::now();
        auto result = pre_copy_guarded(dump_options(dir), tracer, events);
        run_log().debug("pre-copied {} in {} pass(es), {:.3f} s, while the job ran", human_size(result.bytes),
                        result.passes,
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        return result;
    } catch (const std::exception& e) {
        // Said in the checkpoint's own line: when the checkpoint fails too
        // (a full disk fails both), that one line names the reason.
        pre_copy_failure_ = e.what();
        run_log().debug("pre-copy failed ({}); the checkpoint reads the job while it is frozen", e.what());
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

// LATEST is what makes a committed generation a resume point: a resume,
// `stasis checkpoint` and the scheduler glue go by it. One that LATEST
// cannot name (a full disk) goes again, and the checkpoint fails.
void CheckpointCycle::name_in_latest(const std::string& generation)
{
    try {
        store_.set_latest(generation);
    } catch (const std::exception& e) {
        std::string why = e.what();
        try {
            store_.remove(generation);
        } catch (const std::exception& removing) {
            throw Error(why + "; " + removing.what());
        }
        throw;
    }
}

// Only once LATEST names the new generation are old ones retired: LATEST
// must never name a generation that is gone.
void CheckpointCycle::publish(const std::string& generation)
{
    try {
        store_.prune(options_.keep, unusable_);
    } catch (const std::exception& e) {
        run_log().error("{} is committed, but: {}", generation, e.what());
    }
}

}  // namespace stasis::agent
