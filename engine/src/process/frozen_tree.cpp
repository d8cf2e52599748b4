#include "process/frozen_tree.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"


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
    processes_.push_back(freeze(root, deadline));
    // processes_ grows while we walk it: breadth first, parents first.
    for (std::size_t i = 0; i < processes_.size(); ++i) {
        freeze_children_of(processes_[i]->pid(), deadline);
    }
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

std::unique_ptr<FrozenProcess> FrozenTree::freeze(pid_t pid, const FreezeDeadline& deadline) const
{
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
