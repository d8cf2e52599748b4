#include "process/spawn_plan.hpp"

#include "core/error.hpp"

#include <unistd.h>

#include <algorithm>

namespace stasis {

namespace {

std::size_t index_of(const std::vector<ProcessState>& tree, pid_t pid)
{
    auto it = std::find_if(tree.begin(), tree.end(), [pid](const ProcessState& p) { return p.pid == pid; });
    if (it == tree.end()) {
        throw ImageError("the image's process tree is broken: no process " + std::to_string(pid));
    }
    return static_cast<std::size_t>(it - tree.begin());
}

std::vector<FdPlacement> all_placements(const ProcessState& p, const OpenDescriptions& open, const SharedMemory& shared)
{
    if (p.zombie) {
        return {};
    }
    auto placements = placements_for(p, open);
    for (const auto& [object, target] : shared_memory_fds(p)) {
        placements.push_back({target, shared.at(object).get()});
    }
    return placements;
}

}  // namespace

SpawnPlan make_spawn_plan(const std::vector<ProcessState>& tree, const OpenDescriptions& open,
                          const SharedMemory& shared, const RestoredTerminals& terminals)
{
    SpawnPlan plan;
    plan.tree = &tree;
    plan.children.resize(tree.size());
    for (std::size_t i = 1; i < tree.size(); ++i) {
        plan.children[index_of(tree, tree[i].ppid)].push_back(i);
    }
    // A process group's leader must exist before others can join it.
    for (auto& kids : plan.children) {
        std::stable_partition(kids.begin(), kids.end(), [&](std::size_t c) { return tree[c].pgid == tree[c].pid; });
    }
    for (const auto& p : tree) {
        plan.placements.push_back(all_placements(p, open, shared));
    }
    for (const auto& p : tree) {
        for (const auto& seg : p.sysv_segments) {
            if (std::none_of(plan.segments.begin(), plan.segments.end(),
                             [&](const SysvSegment& s) { return s.shmid == seg.shmid; })) {
                plan.segments.push_back(seg);
            }
        }
    }
    plan.terminal_sessions = terminal_sessions(tree, terminals);
    return plan;
}

bool needs_namespace(const SpawnPlan& plan)
{
    return ::geteuid() != 0 || !plan.segments.empty();
}

}  // namespace stasis
