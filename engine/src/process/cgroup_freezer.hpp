#pragma once
// The cgroup freezer, for a job that has a cgroup of its own (Slurm's
// proctrack/cgroup, PBS's cgroups hook): frozen, no task of it runs or forks
// while the tree is attached, so a fast-forking job cannot add a child the
// dump would miss. cgroup v2 (cgroup.freeze, cgroup.events "frozen 1") or
// the v1 freezer controller (freezer.state). The freezer thaws whatever it
// froze when it goes out of scope, also on the way out of an error.
#include "process/cgroup_dirs.hpp"
#include "process/freeze_deadline.hpp"

#include <sys/types.h>

#include <optional>
#include <set>
#include <string>

namespace stasis {

// The cgroup of root that stasis may freeze: not a hierarchy's root, its
// freeze file writable by us, not frozen already, and every process in it
// (and in the cgroups below it) root or a descendant of root, so that
// nothing outside the tree is ever frozen. Nothing when there is none; the
// debug log says why.
std::optional<CgroupDir> freezable_cgroup(pid_t root);

class CgroupFreezer {
public:
    // Freezes cgroup and waits until the kernel reports it frozen. At the
    // deadline it thaws it again and throws an Error naming a task that
    // did not freeze.
    CgroupFreezer(CgroupDir cgroup, const FreezeDeadline& deadline);
    ~CgroupFreezer() { thaw(); }
    CgroupFreezer(const CgroupFreezer&) = delete;
    CgroupFreezer& operator=(const CgroupFreezer&) = delete;

    // Idempotent; a failure is logged (the job would stay frozen), never thrown.
    void thaw() noexcept;

    [[nodiscard]] const CgroupDir& cgroup() const { return cgroup_; }
    // "the cgroup v2 freezer of /sys/fs/cgroup/job"
    [[nodiscard]] std::string description() const;
    // The processes in the cgroup and below it; stable only while frozen.
    [[nodiscard]] std::set<pid_t> members() const;
    // Whether PTRACE_SEIZE may be used on member pid while it is frozen.
    // Not on a v1 process in a group stop (SIGSTOP, SIGTSTP): attaching
    // makes the kernel wait until the stopped task has run, which a frozen
    // one does not (measured on Linux 6.18: the tracer hangs until the
    // thaw). /proc shows such a task asleep in do_signal_stop; a task whose
    // wchan does not say where it sleeps is taken for one.
    [[nodiscard]] bool may_seize_frozen(pid_t pid) const;

private:
    [[nodiscard]] bool wait_frozen(const FreezeDeadline& deadline) const;

    CgroupDir cgroup_;
    bool frozen_ = false;
};

}  // namespace stasis
