#include "agent/supervisor.hpp"

#include "agent/guarded_signals.hpp"
#include "agent/run_log.hpp"
#include "core/error.hpp"
#include "core/exit_status.hpp"

#include <stasis/exit_requeue.hpp>
#include <stasis/root_layout.hpp>
#include "stasis/duration.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <thread>
#include <utility>

namespace stasis::agent {

namespace {

// A scheduler signals every process of the job at once, but they arrive
// over a few milliseconds; the checkpoint waits this long so that it holds
// all of them.
constexpr auto collect_window = std::chrono::milliseconds(100);
// How often requests in ROOT are looked for: a step's task holds a signal
// meanwhile (STOP), or `stasis checkpoint` waits (CHECKPOINT).
constexpr auto request_poll = std::chrono::milliseconds(250);

// from + duration, or never when that lies beyond what the clock holds.
Clock::time_point after(Clock::time_point from, std::optional<std::chrono::seconds> duration)
{
    auto room = std::chrono::duration_cast<std::chrono::seconds>(Clock::time_point::max() - from);
    return duration && *duration < room ? from + *duration : Clock::time_point::max();
}

}  // namespace

Supervisor::Supervisor(const RunOptions& options, GenerationStore& store, EventSource& events, JobTracer& tracer,
                       const std::optional<ResumePoint>& resume, Clock::time_point started, bool track_writes)
    : options_(options),
      store_(store),
      events_(events),
      tracer_(tracer),
      cycle_(store, options, resume ? resume->unusable : std::vector<std::string>{},
             resume ? std::optional(resume->dir.filename().string()) : std::nullopt, track_writes),
      next_periodic_(options.interval.count() > 0 ? Clock::now() + options.interval : Clock::time_point::max()),
      stop_at_(after(started, options.stop_after))
{
    tracer_.on_address_space_end([this](pid_t pid) { cycle_.forget(pid); });
}

int Supervisor::supervise()
{
    while (!tracer_.root_status()) {
        if (auto event = events_.next(next_deadline())) {
            tracer_.handle(*event);
        }
        for (const auto& signal : events_.take_signals()) {
            on_agent_signal(signal);
        }
        stop_if_time_is_up();
        take_requests();
        if (!ending_) {
            checkpoint_if_due();
        }
    }
    end_rest_of_job(tracer_);
    return exit_status(*tracer_.root_status());
}

Clock::time_point Supervisor::next_deadline() const
{
    if (ending_) {
        return Clock::time_point::max();
    }
    auto next = std::min({next_periodic_, stop_reason_ ? Clock::time_point::max() : stop_at_, next_request_check_});
    return collect_until_ ? std::min(*collect_until_, next) : next;
}

void Supervisor::on_agent_signal(const AgentSignal& signal)
{
    if (tracer_.in_job(signal.sender)) {
        run_log().info("{} from the job's own process {} is not for stasis: ignored", signal_name(signal.signo),
                       signal.sender);
        return;
    }
    stop(signal_name(signal.signo) + " received", signal_name(signal.signo) + " to stasis");
}

// The scheduler's time limit is near: stop as on a signal to the agent, so
// that the job is requeued instead of being killed by the limit.
void Supervisor::stop_if_time_is_up()
{
    if (Clock::now() >= stop_at_) {
        stop("time limit margin reached (--stop-after " + format_duration(*options_.stop_after) + ")",
             "time limit margin");
    }
}

// STOP: a task of another step of the job (on any node) was signalled to
// end (agent/step_task_guard.hpp). CHECKPOINT: `stasis checkpoint` waits
// until the request is gone, then looks at LATEST.
void Supervisor::take_requests()
{
    auto now = Clock::now();
    if (now < next_request_check_ || ending_) {
        return;
    }
    next_request_check_ = now + request_poll;
    if (auto why = store_.request(contract::stop_file)) {
        stop("a step of the job asks to stop it: " + *why, "stop asked by a step: " + *why);
    }
    if (auto who = store_.request(contract::checkpoint_file)) {
        if (!stop_reason_) {
            run_log().info("{} asks for a checkpoint now", *who);
            cycle_.run(tracer_, events_, "asked by " + *who, false);
            check_root_alive();
        }
        store_.clear_request(contract::checkpoint_file);
    }
}

void Supervisor::stop(const std::string& why, std::string reason)
{
    if (ending_ || stop_reason_) {
        return;
    }
    run_log().info("{}: checkpointing, then ending the job", why);
    stop_reason_ = std::move(reason);
    start_collecting();
}

void Supervisor::start_collecting()
{
    if (!collect_until_) {
        collect_until_ = Clock::now() + collect_window;
    }
}

void Supervisor::checkpoint_if_due()
{
    if (!tracer_.held_signals().empty()) {
        start_collecting();
    }
    auto now = Clock::now();
    if (collect_until_) {
        if (now >= *collect_until_) {
            guard_checkpoint();
        }
        return;
    }
    if (now >= next_periodic_) {
        cycle_.run(tracer_, events_, "periodic", false);
        next_periodic_ = Clock::now() + options_.interval;
        check_root_alive();
    }
}

void Supervisor::guard_checkpoint()
{
    collect_until_.reset();
    bool end_job = stop_reason_.has_value();
    auto reason = end_job ? *stop_reason_ : describe_held(tracer_.held_signals());
    cycle_.run(tracer_, events_, reason, end_job);
    if (end_job) {
        ending_ = true;
        tracer_.kill_job();  // still held only when the checkpoint failed
    }
    if (options_.interval.count() > 0) {
        next_periodic_ = Clock::now() + options_.interval;
    }
    check_root_alive();
}

// stasis::dump waits for the threads it holds; if the job's root ends right
// then, dump has collected its exit status and the agent never will. A
// restored job's stand-in (its namespace's init) still brings it.
void Supervisor::check_root_alive() const
{
    if (!tracer_.root_status() && !tracer_.has_stand_in() && ::kill(tracer_.root(), 0) < 0 && errno == ESRCH) {
        throw Error("the job ended while it was being checkpointed; its exit status is lost");
    }
}

int Supervisor::exit_status(int wait_status) const
{
    // Ended from outside (by the agent, or a scheduler's signal) and
    // resumable: requeue. A job's own signal is its own exit status.
    auto latest = store_.latest();
    bool from_outside = ending_ || (WIFSIGNALED(wait_status) && is_guarded(WTERMSIG(wait_status)) &&
                                    !tracer_.last_sent_by_job(WTERMSIG(wait_status)));
    if (from_outside && latest) {
        run_log().info("the job ended after checkpoint {}: exit status {} (checkpointed, please requeue)", *latest,
                       contract::exit_requeue);
        return contract::exit_requeue;
    }
    std::string how = WIFSIGNALED(wait_status) ? "killed by " + signal_name(WTERMSIG(wait_status))
                                               : "exited with status " + std::to_string(WEXITSTATUS(wait_status));
    if (ending_) {
        // Not a job that finished: one that a next run starts anew only
        // because nothing was committed.
        run_log().info("the job was ended without a checkpoint to resume from: {}", how);
        return shell_exit_status(wait_status);
    }
    run_log().info("the job {}", how);
    store_.mark_finished(how);
    return shell_exit_status(wait_status);
}

}  // namespace stasis::agent
