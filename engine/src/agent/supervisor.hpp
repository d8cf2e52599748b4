#pragma once
// The agent's loop over one running job: it passes the job's events to the
// guard, takes a checkpoint when one is due (a held signal, a signal to the
// agent, the interval) and works out the exit status when the job ends.
#include "agent/checkpoint_cycle.hpp"
#include "agent/event_source.hpp"
#include "agent/job_tracer.hpp"
#include "agent/run.hpp"

#include <optional>

namespace stasis::agent {

class Supervisor {
public:
    Supervisor(const RunOptions& options, GenerationStore& store, EventSource& events, JobTracer& tracer,
               std::vector<std::string> unusable);

    // Returns the exit status for `stasis run`.
    int supervise();

private:
    [[nodiscard]] Clock::time_point next_deadline() const;
    void on_agent_signal(const AgentSignal& signal);
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
    std::optional<Clock::time_point> collect_until_;
    std::optional<int> stop_signal_;     // a guarded signal to the agent
    bool ending_ = false;                // the job is being ended
};

}  // namespace stasis::agent
