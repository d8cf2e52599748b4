#include "agent/step_task_guard.hpp"

#include "agent/event_source.hpp"
#include "agent/guarded_signals.hpp"
#include "agent/job_launch.hpp"
#include "agent/job_tracer.hpp"
#include "agent/run_log.hpp"
#include "agent/step_part_writer.hpp"
#include "agent/step_task_registry.hpp"
#include "core/exit_status.hpp"
#include "core/host_name.hpp"

#include <stasis/generation_store.hpp>
#include <stasis/restore.hpp>
#include <stasis/root_layout.hpp>
#include <stasis/step_parts.hpp>
#include "process/freeze_deadline.hpp"

#include <unistd.h>

#include <optional>

namespace stasis::agent {

namespace {

// How often the task's agent looks for the job's agent's request: the
// spread of the parts' freezes across nodes.
constexpr auto parts_poll = std::chrono::milliseconds(100);

class StepTaskGuard {
public:
    StepTaskGuard(const RunOptions& options, GenerationStore store) : options_(options), store_(std::move(store)) {}

    int run()
    {
        start();
        if (options_.step_place) {
            auto place = *options_.step_place;
            registration_.emplace(store_.root(), StepTask{contract::part_name(place.launcher, place.rank),
                                                          place.launcher, place.rank, host_name(), ::getpid(), place.step});
        }
        while (!tracer_->root_status()) {
            auto deadline = relayed_at_ && !let_go_ ? *relayed_at_ + hold_limit : Clock::time_point::max();
            if (registration_) {
                deadline = std::min(deadline, next_parts_check_);
            }
            if (auto event = events_.next(deadline)) {
                tracer_->handle(*event);
            }
            write_part_if_asked();
            for (const auto& signal : events_.take_signals()) {
                if (!tracer_->in_job(signal.sender)) {
                    relay(signal_name(signal.signo) + " to the step task's agent");
                }
            }
            if (!tracer_->held_signals().empty()) {
                relay(describe_held(tracer_->held_signals()));
            }
            let_go_when_held_too_long();
        }
        end_rest_of_job(*tracer_);
        return shell_exit_status(*tracer_->root_status());
    }

private:
    // One line per task of every step: only at debug, or a wide job's output
    // would fill with them.
    void start()
    {
        auto hold = [this](pid_t root) {
            tracer_.emplace(root);
            tracer_->attach_all();
        };
        if (options_.resume_part) {
            auto restored = start_restored(*options_.resume_part);
            hold(restored.root);
            tracer_->stand_in_for_root(restored.child);
            run_log().debug("resumed {} as pid {} on {}, a step task of the job checkpointed into {}",
                            options_.resume_part->string(), tracer_->root(), host_name(), store_.root().string());
            return;
        }
        launch_job(options_.command, events_.original_mask(), hold);
        run_log().debug("started {} as pid {} on {}, a step task of the job checkpointed into {}",
                        options_.command.front(), tracer_->root(), host_name(), store_.root().string());
    }

    void write_part_if_asked()
    {
        if (!registration_ || Clock::now() < next_parts_check_ || tracer_->root_status()) {
            return;
        }
        next_parts_check_ = Clock::now() + parts_poll;
        auto line = store_.request(contract::parts_request_file);
        auto request = line ? parse_part_request(*line) : std::nullopt;
        if (!request || request->round == last_round_) {
            return;
        }
        last_round_ = request->round;
        auto outcome = write_part(store_, *request, registration_->task(), *tracer_, events_, options_);
        if (outcome.held.empty()) {
            return;
        }
        if (let_go_) {
            JobTracer::deliver(outcome.held);
            return;
        }
        // Still held back: the job's agent ends the job, or let_go delivers them.
        relay(describe_held(outcome.held));
        held_back_.insert(held_back_.end(), outcome.held.begin(), outcome.held.end());
    }

    void relay(const std::string& what)
    {
        if (relayed_at_) {
            return;
        }
        relayed_at_ = Clock::now();
        auto why = what + " (pid " + std::to_string(tracer_->root()) + " on " + host_name() + ")";
        try {
            store_.post_request(contract::stop_file, why);
            run_log().info("{}: asked the job's agent to checkpoint and stop the job; holding the task", why);
        } catch (const std::exception& e) {
            run_log().error("{}: cannot ask the job's agent to stop the job: {}; the task gets the signal", why,
                            e.what());
            let_go();
        }
    }

    // The job's agent did not end the job: the task gets its signals.
    void let_go_when_held_too_long()
    {
        if (relayed_at_ && !let_go_ && Clock::now() >= *relayed_at_ + hold_limit) {
            run_log().warn("the job was not stopped within {} s; the task gets the signals held", hold_limit.count());
            let_go();
        }
    }

    void let_go()
    {
        let_go_ = true;
        auto hold = tracer_->hold_all(events_, FreezeDeadline(options_.freeze_timeout));
        tracer_->resume_held();
        JobTracer::deliver(held_back_);
        JobTracer::deliver(hold.held);
    }

    const RunOptions& options_;
    GenerationStore store_;
    EventSource events_;
    std::optional<JobTracer> tracer_;
    std::optional<Clock::time_point> relayed_at_;
    bool let_go_ = false;
    std::optional<StepTaskRegistration> registration_;
    Clock::time_point next_parts_check_{};
    std::uint64_t last_round_ = 0;  // the request whose part was written last
    std::vector<HeldSignal> held_back_;  // held when a part was written, not delivered since
};

}  // namespace

int guard_step_task(const RunOptions& options)
{
    return StepTaskGuard(options, GenerationStore::open(*options.step_of)).run();
}

}  // namespace stasis::agent
