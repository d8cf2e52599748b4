#include "process/frozen_tree.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "process/cgroup_freezer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace stasis {

namespace {

std::vector<pid_t> children_of(pid_t pid)
{
    std::vector<pid_t> children;
    for (pid_t tid : proc::threads(pid)) {
        auto of_thread = proc::thread_children(pid, tid);
        children.insert(children.end(), of_thread.begin(), of_thread.end());
    }
    return children;
}

bool is_zombie(pid_t pid)
{
    return proc::status_field(pid, "State").rfind("Z", 0) == 0;
}

}  // namespace

FrozenTree::FrozenTree(pid_t root, const FreezeDeadline& deadline, const std::map<pid_t, HeldProcess>& held)
    : held_(held)
{
    if (!held.empty()) {
        // The caller's hold (stasis run's guard) follows every fork and clone
        // already: no task of the tree runs, a freezer would add nothing.
        walk(root, deadline);
        spdlog::debug("pid {}: the tree is held by the caller", root);
        return;
    }
    auto started = std::chrono::steady_clock::now();
    std::string how;
    try {
        how = freeze_cgroup_first(root, deadline);
        walk(root, deadline);
    } catch (...) {
        let_go_of_interrupted(deadline);
        throw;
    }
    let_go_of_interrupted(deadline);
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
    spdlog::info("froze pid {} and {} more process(es) in {:.1f} ms with {}", root, processes_.size() - 1,
                 took.count(), how);
}

// The order, as measured on Linux 6.18: freeze the cgroup, seize and
// interrupt (PTRACE_INTERRUPT) every thread of its processes without waiting
// for a stop, thaw, then wait for the stops.
// - v1: a frozen task does not reach the interrupt's stop until it is
//   thawed (it sleeps in the refrigerator); so the stops cannot be awaited
//   while frozen. Thawed, it stops within about 10 ms.
// - v2: a frozen task does reach it (signal delivery serves the ptrace trap
//   before the freezer's), but a tracee resumed while its cgroup is frozen
//   freezes again at once, so the dump's injected syscalls need it thawed.
// - On both, thawing leaves a task in a ptrace stop stopped.
// - v1 only: seizing a process in a group stop waits until it has run
//   (CgroupFreezer::may_seize_frozen); the walk seizes it after the thaw.
// Nothing runs between the freeze and the thaw, and after the thaw every
// task of the cgroup has an interrupt pending: it enters the stop before it
// returns to user space, so it cannot fork (only a call of its own would).
// The walk that follows (walk, freeze) then finds the tree complete.
std::string FrozenTree::freeze_cgroup_first(pid_t root, const FreezeDeadline& deadline)
{
    auto cgroup = freezable_cgroup(root);
    if (!cgroup) {
        return "ptrace only";
    }
    CgroupFreezer freezer(*cgroup, deadline);
    interrupt_members(root, freezer);
    freezer.thaw();
    return freezer.description() + ", then ptrace";
}

// Parents first, as the walk goes, but only through the cgroup's processes:
// one outside it runs on, and the walk stops it before its children as it
// would without the freezer. A vfork child is left to run too: its parent
// stops only once the child has exec'd or exited. A process the freezer
// says may not be seized while frozen (a v1 group stop) is seized by the
// walk, after the thaw; its children are interrupted here all the same.
void FrozenTree::interrupt_members(pid_t root, const CgroupFreezer& freezer)
{
    auto members = freezer.members();
    std::vector<pid_t> queue{root};
    for (std::size_t i = 0; i < queue.size(); ++i) {
        pid_t pid = queue[i];
        if (!members.contains(pid) || is_zombie(pid)) {
            continue;
        }
        if (freezer.may_seize_frozen(pid)) {
            interrupted_.emplace(pid, std::make_unique<FrozenProcess>(pid, FrozenProcess::Interrupted{}));
        }
        for (pid_t tid : proc::threads(pid)) {
            pid_t in_vfork = vfork_child(pid, tid);
            for (pid_t child : proc::thread_children(pid, tid)) {
                if (child != in_vfork) {
                    queue.push_back(child);
                }
            }
        }
    }
}

void FrozenTree::walk(pid_t root, const FreezeDeadline& deadline)
{
    processes_.push_back(freeze(root, deadline));
    // processes_ grows while we walk it: breadth first, parents first.
    for (std::size_t i = 0; i < processes_.size(); ++i) {
        freeze_children_of(processes_[i]->pid(), deadline);
    }
}

// A process interrupted but not walked to (its parent ended meanwhile, or
// the freeze failed) is let go once stopped: PTRACE_DETACH needs the stop.
void FrozenTree::let_go_of_interrupted(const FreezeDeadline& deadline) noexcept
{
    for (auto& [pid, process] : interrupted_) {
        try {
            process->await_stops(deadline);
        } catch (const Error&) {
            // ended, or not stopped by the deadline: the kernel lets go of it when stasis ends
        }
    }
    interrupted_.clear();
}

void FrozenTree::freeze_children_of(pid_t parent, const FreezeDeadline& deadline)
{
    for (pid_t child : children_of(parent)) {
        try {
            if (!is_zombie(child)) {
                processes_.push_back(freeze(child, deadline));
                continue;
            }
        } catch (const Error&) {
            // A child that ended while we froze it stays a zombie: its parent
            // is frozen and cannot reap it.
            if (!is_zombie(child)) {
                throw;
            }
        }
        proc::Stat stat(child);
        zombies_.push_back({child, parent, static_cast<int>(stat.field(proc::StatField::exit_code))});
    }
}

std::unique_ptr<FrozenProcess> FrozenTree::freeze(pid_t pid, const FreezeDeadline& deadline)
{
    if (auto interrupted = interrupted_.extract(pid)) {
        interrupted.mapped()->await_stops(deadline);
        return std::move(interrupted.mapped());
    }
    auto held = held_.find(pid);
    if (held != held_.end()) {
        return std::make_unique<FrozenProcess>(pid, held->second, deadline);
    }
    return std::make_unique<FrozenProcess>(pid, deadline);
}

void FrozenTree::kill()
{
    for (auto& p : processes_) {
        p->kill();
    }
}

}  // namespace stasis
