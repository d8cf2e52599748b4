#include "process/spawn_plan.hpp"

#include "core/error.hpp"
#include "event_fds/epoll_watches.hpp"
#include "process/forked_children.hpp"
#include "process/next_pid.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <set>

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

std::vector<FdPlacement> all_placements(const std::vector<ProcessState>& tree, std::size_t index,
                                        const OpenDescriptions& open, const SharedMemory& shared)
{
    const auto& p = tree[index];
    if (p.zombie) {
        return {};
    }
    auto placements = placements_for(p, open);
    auto handed = handed_fds(tree, index);
    for (const auto& [object, target] : handed.shared_memory) {
        placements.push_back({target, shared.at(object).get()});
    }
    for (const auto& [watched, target] : handed.epoll_watches) {
        placements.push_back({target, open.at(watched.first).get()});
    }
    return placements;
}

std::vector<char*> null_terminated(const std::vector<std::string>& strings)
{
    std::vector<char*> pointers;
    for (const auto& s : strings) {
        pointers.push_back(const_cast<char*>(s.c_str()));
    }
    pointers.push_back(nullptr);
    return pointers;
}

ExecLine exec_line(const ProcessState& p)
{
    if (p.relaunch) {
        return {p.exe.c_str(), null_terminated(p.relaunch->argv), null_terminated(p.relaunch->env)};
    }
    return {p.exe.c_str(), {const_cast<char*>(p.exe.c_str()), nullptr}, {nullptr}};
}

}  // namespace

HandedFds handed_fds(const std::vector<ProcessState>& tree, std::size_t index)
{
    HandedFds handed;
    handed.shared_memory = shared_memory_fds(tree[index]);
    std::set<int> taken;
    for (const auto& fd : tree[index].fds) {
        taken.insert(fd.fd);
    }
    for (const auto& [object, fd] : handed.shared_memory) {
        taken.insert(fd);
    }
    handed.epoll_watches = epoll_watch_fds(tree, index, taken);
    return handed;
}

SpawnPlan make_spawn_plan(const std::vector<ProcessState>& tree, const OpenDescriptions& open,
                          const SharedMemory& shared, const RestoredTerminals& terminals)
{
    SpawnPlan plan;
    plan.tree = &tree;
    plan.parent.assign(tree.size(), 0);
    plan.children.resize(tree.size());
    plan.by_fork = restored_by_fork(tree);
    if (std::find(plan.by_fork.begin(), plan.by_fork.end(), true) != plan.by_fork.end() && !can_set_next_pid()) {
        spdlog::warn("/proc/sys/kernel/ns_last_pid cannot be written here: forked workers get copies of the memory "
                     "they shared with their parents");
        plan.by_fork.assign(tree.size(), false);
    }
    for (std::size_t i = 1; i < tree.size(); ++i) {
        plan.parent[i] = index_of(tree, tree[i].ppid);
        if (!plan.by_fork[i]) {
            plan.children[plan.parent[i]].push_back(i);
        }
    }
    // A process group's leader must exist before others can join it.
    for (auto& kids : plan.children) {
        std::stable_partition(kids.begin(), kids.end(), [&](std::size_t c) { return tree[c].pgid == tree[c].pid; });
    }
    for (std::size_t i = 0; i < tree.size(); ++i) {
        plan.placements.push_back(all_placements(tree, i, open, shared));
        plan.exec_lines.push_back(exec_line(tree[i]));
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
