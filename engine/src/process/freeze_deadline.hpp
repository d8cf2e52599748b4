#pragma once
// How long stasis waits for a task to stop, and what it says when one does
// not: a vfork parent waits for its child, a task in uninterruptible sleep
// (a dead NFS server) waits for the kernel, and neither reaches a ptrace
// stop until then. The freeze gives up at the deadline, naming the task and
// why it did not stop, as /proc shows it then.
#include <stasis/error.hpp>

#include <sys/types.h>

#include <chrono>
#include <string>

namespace stasis {

struct FreezeDeadline {
    explicit FreezeDeadline(std::chrono::seconds timeout)
        : timeout(timeout), at(std::chrono::steady_clock::now() + timeout)
    {
    }

    // "process P (comm) could not be stopped within 10s: <stop_obstacle>"
    [[nodiscard]] Error missed_by(pid_t pid, pid_t tid) const;

    std::chrono::seconds timeout;
    std::chrono::steady_clock::time_point at;
};

// "process P (comm)", or "thread T (name) of process P (comm)".
std::string task_name(pid_t pid, pid_t tid);

// The child that thread tid of process pid waits for in a vfork (the one
// that still shares its memory); 0 when it is in none.
pid_t vfork_child(pid_t pid, pid_t tid);

// Why tid of process pid is not stopped: "traced by T (comm)", "in vfork,
// waiting for child C", "in uninterruptible sleep (D) in WCHAN", else its
// state ("in state S (sleeping)").
std::string stop_obstacle(pid_t pid, pid_t tid);

}  // namespace stasis
