#pragma once
// The agent's loop over one running job: it passes the job's events to the
// guard, takes a checkpoint when one is due (a held signal, a signal to the
// agent, the interval) and works out the exit status when the job ends.
#include "agent/checkpoint_cycle.hpp"
#include "agent/event_source.hpp"
#include "agent/job_tracer.hpp"
#include "agent/resume_point.hpp"
#include <stasis/run.hpp>

#include <optional>

namespace stasis::agent {

class Supervisor {
public:
    // started: when the agent started, which options.stop_after counts from;
    // resume: where the job was resumed from, if it was; track_writes: see
    // CheckpointCycle.
    Supervisor(const RunOptions& options, GenerationStore& store, EventSource& events, JobTracer& tracer,
               const std::optional<ResumePoint>& resume, Clock::time_point started, bool track_writes);

    // Returns the exit status for `stasis run`.
    int supervise();

private:
    [[nodiscard]] Clock::time_point next_deadline() const;
    void on_agent_signal(const AgentSignal& signal);
    void stop_if_time_is_up();
    void take_requests();
    void stop(const std::string& why, std::string reason);
    void start_collecting();
    void checkpoint_if_due();
    void guard_checkpoint();
    void check_root_alive() const;
    [[nodiscard]] int exit_status(int wait_status) const;

    const RunOptions& options_;
    GenerationStore& store_;
    EventSource& events_;
    JobTracer& tracer_;
    CheckpointCycle cycle_;
    Clock::time_point next_periodic_;
    Clock::time_point stop_at_;  // options.stop_after from the start
    Clock::time_point next_request_check_{};  // when ROOT's requests are looked for next
    std::optional<Clock::time_point> collect_until_;
    // Set when the job must stop (a guarded signal to the agent, or
    // stop_at_): why, as the checkpoint's log line gives it.
    std::optional<std::string> stop_reason_;
    bool ending_ = false;  // the job is being ended
};

}  // namespace stasis::agent
