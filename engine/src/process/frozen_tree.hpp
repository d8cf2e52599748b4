#pragma once
// A process and all its descendants, each held by a FrozenProcess. Parents
// are frozen before their children, so a frozen parent cannot add a child
// that the tree would miss. Where the tree has a cgroup of its own that
// stasis may freeze (cgroup_freezer.hpp), it is frozen first, so that no
// task runs or forks while the tree is attached.
#include "process/frozen_process.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace stasis {

class CgroupFreezer;

// A child that has exited but was not yet reaped: it cannot be traced, only
// remembered, and restored as a zombie again.
struct Zombie {
    pid_t pid = 0;
    pid_t ppid = 0;
    int wait_status = 0;
};

class FrozenTree {
public:
    // Every process must be stopped by the deadline (FrozenProcess); those
    // in held are adopted from the caller's hold.
    FrozenTree(pid_t root, const FreezeDeadline& deadline, const std::map<pid_t, HeldProcess>& held);

    // Parent before child; processes().front() is the root.
    [[nodiscard]] const std::vector<std::unique_ptr<FrozenProcess>>& processes() const { return processes_; }
    [[nodiscard]] const std::vector<Zombie>& zombies() const { return zombies_; }

    // SIGKILL every process while all are still frozen.
    void kill();

private:
    [[nodiscard]] std::string freeze_cgroup_first(pid_t root, const FreezeDeadline& deadline);
    void interrupt_members(pid_t root, const CgroupFreezer& freezer);
    void walk(pid_t root, const FreezeDeadline& deadline);
    void freeze_children_of(pid_t parent, const FreezeDeadline& deadline);
    [[nodiscard]] std::unique_ptr<FrozenProcess> freeze(pid_t pid, const FreezeDeadline& deadline);
    void let_go_of_interrupted(const FreezeDeadline& deadline) noexcept;

    std::vector<std::unique_ptr<FrozenProcess>> processes_;
    std::vector<Zombie> zombies_;
    // Seized and interrupted while their cgroup was frozen, not walked to yet.
    std::map<pid_t, std::unique_ptr<FrozenProcess>> interrupted_;
    const std::map<pid_t, HeldProcess>& held_;
};

}  // namespace stasis
