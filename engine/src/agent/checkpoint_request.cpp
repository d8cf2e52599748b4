// `stasis checkpoint`: the asking side of ROOT/CHECKPOINT (the agent's side
// is Supervisor::take_requests).
#include <stasis/run.hpp>

#include "agent/root_lock.hpp"
#include "core/error.hpp"
#include "stasis/duration.hpp"

#include <stasis/generation_store.hpp>
#include <stasis/root_layout.hpp>

#include <unistd.h>

#include <thread>

namespace stasis {

std::string request_checkpoint(const CheckpointRequest& request)
{
    constexpr auto poll = std::chrono::milliseconds(100);
    auto store = GenerationStore::open(request.root);
    if (!agent::RootLock::held(store.root())) {
        throw Error("no stasis run guards a job in " + store.root().string());
    }
    auto before = store.latest();
    store.post_request(contract::checkpoint_file,
                       "stasis checkpoint (pid " + std::to_string(::getpid()) + ", uid " + std::to_string(::getuid()) + ")");
    auto deadline = std::chrono::steady_clock::now() + request.timeout;
    while (store.request(contract::checkpoint_file)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            store.clear_request(contract::checkpoint_file);
            throw Error("the agent in " + store.root().string() + " did not checkpoint the job within " +
                        format_duration(request.timeout));
        }
        std::this_thread::sleep_for(poll);
    }
    auto after = store.latest();
    if (!after || after == before) {
        throw Error("the agent in " + store.root().string() +
                    " could not checkpoint the job (its log, the job's stderr, says why)" +
                    (before ? "; " + *before + " is kept" : ""));
    }
    return *after;
}

}  // namespace stasis
