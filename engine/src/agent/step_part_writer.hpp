#pragma once
// A step task's side of a generation's parts (contract/step_parts.hpp): when
// the job's agent asks, the task's agent lets go of the task, dumps it into
// the generation's staging, and keeps it frozen until the verdict (the
// request's removal). Then the task runs on, or, when the generation that
// ends the job was committed, is ended frozen: it never runs past its part.
#include "agent/event_source.hpp"
#include "agent/job_tracer.hpp"
#include "agent/part_request.hpp"
#include "agent/step_task_registry.hpp"

#include <stasis/generation_store.hpp>
#include <stasis/run.hpp>

#include <chrono>

namespace stasis::agent {

// How long a frozen task waits for the verdict before it runs on.
inline constexpr auto verdict_wait_limit = std::chrono::seconds(300);

struct PartOutcome {
    bool ended = false;  // the task was ended with the job
    // Guarded signals that were held when the task was let go of for its
    // dump: not delivered here, for the guard still holds them back.
    std::vector<HeldSignal> held;
};

// Writes the task's part; a failure is logged and left for the job's agent
// to find, and the task runs on.
PartOutcome write_part(const GenerationStore& store, const PartRequest& request, const StepTask& task,
                       JobTracer& tracer, EventSource& events, const RunOptions& options);

}  // namespace stasis::agent
