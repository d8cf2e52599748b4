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

FrozenTree::FrozenTree(pid_t root, const FreezeDeadline& deadline)
{
    processes_.push_back(std::make_unique<FrozenProcess>(root, deadline));
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
                processes_.push_back(std::make_unique<FrozenProcess>(child, deadline));
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

void FrozenTree::kill()
{
    for (auto& p : processes_) {
        p->kill();
    }
}

}  // namespace stasis
