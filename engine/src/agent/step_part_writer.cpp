#include "agent/step_part_writer.hpp"

#include "agent/run_log.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/human_size.hpp"

#include <stasis/dump.hpp>
#include <stasis/step_parts.hpp>

#include <thread>

#include <nlohmann/json.hpp>

namespace stasis::agent {

namespace {

constexpr auto verdict_poll = std::chrono::milliseconds(50);

double seconds_since_epoch(std::chrono::system_clock::time_point t)
{
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

bool still_asked(const GenerationStore& store, const PartRequest& request)
{
    auto line = store.request(contract::parts_request_file);
    auto current = line ? parse_part_request(*line) : std::nullopt;
    return current && current->round == request.round;
}

// Whether the generation was committed: the job's agent removes the request
// once it knows.
bool await_verdict(const GenerationStore& store, const PartRequest& request)
{
    auto deadline = std::chrono::steady_clock::now() + verdict_wait_limit;
    for (;;) {
        if (!still_asked(store, request)) {
            return std::filesystem::exists(store.root() / request.generation);
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            run_log().warn("no verdict on {} within {} s; the task runs on", request.generation,
                           verdict_wait_limit.count());
            return false;
        }
        std::this_thread::sleep_for(verdict_poll);
    }
}

// The job's agent says it in the job's log, naming the task: here only at
// debug, so that a refusal is one line.
void report_failure(const PartRequest& request, const GenerationStore& store, const StepTask& task,
                    const std::string& why)
{
    if (!still_asked(store, request)) {
        run_log().debug("{} of {}: the job's agent gave up on it meanwhile ({})", task.part, request.generation, why);
        return;
    }
    run_log().debug("{} of {}: the part of the task failed: {}; the task runs on", task.part, request.generation, why);
    try {
        write_file_atomically(request.failure_file(store.root(), task.part), why + "\n");
    } catch (const std::exception& e) {
        run_log().error("cannot tell the job's agent: {}", e.what());
    }
}

}  // namespace

PartOutcome write_part(const GenerationStore& store, const PartRequest& request, const StepTask& task,
                       JobTracer& tracer, EventSource& events, const RunOptions& options)
{
    auto hold = tracer.hold_all(events, FreezeDeadline(options.freeze_timeout));
    if (tracer.root_status()) {
        // Its agent unregisters it as it ends: the job's agent goes on without it.
        run_log().debug("{} of {}: the task ended meanwhile", task.part, request.generation);
        tracer.resume_held();
        return {false, {}};
    }
    bool ended = false;
    try {
        if (hold.unstoppable) {
            throw Error(*hold.unstoppable);
        }
        DumpOptions dump_options;
        dump_options.pid = tracer.root();
        dump_options.held = hold.processes;
        dump_options.dir = request.staging(store.root()) / task.part;
        dump_options.leave_running = true;
        dump_options.compression = options.compression;
        dump_options.level = options.level;
        dump_options.freeze_timeout = options.freeze_timeout;
        auto frozen_at = std::chrono::system_clock::now();
        dump_options.before_commit = [&](const std::filesystem::path& staging) {
            nlohmann::json facts = {{"host", task.host}, {"launcher", task.launcher}, {"rank", task.rank},
                                    {"step", task.step}, {"frozen_at", seconds_since_epoch(frozen_at)}};
            write_file_atomically(staging / contract::part_facts_file, facts.dump() + "\n");
        };
        dump_options.end_after_commit = [&] {
            ended = await_verdict(store, request) && request.end_job;
            return ended;
        };
        auto result = dump(dump_options);
        run_log().debug("{} of {} written: {} of memory, {} stored, {:.3f} s frozen{}", task.part, request.generation,
                        human_size(result.memory_bytes), human_size(result.stored_bytes), result.frozen_seconds,
                        ended ? "; the job ends with it" : "");
    } catch (const std::exception& e) {
        report_failure(request, store, task, e.what());
    }
    if (ended) {
        return {true, {}};
    }
    tracer.resume_held();
    return {false, std::move(hold.held)};
}

}  // namespace stasis::agent
