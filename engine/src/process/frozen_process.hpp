#pragma once
// A process whose every thread is held in a ptrace stop (PTRACE_SEIZE +
// PTRACE_INTERRUPT), so its state can be read consistently. Releasing it
// (destructor) detaches and lets it run on; kill() ends it instead. A
// process the caller holds already is adopted: its threads stay stopped,
// with the caller, when it is released.
#include "process/freeze_deadline.hpp"

#include <stasis/held_process.hpp>

#include <sys/types.h>

#include <vector>

namespace stasis {

class FrozenProcess {
public:
    // Throws an Error naming the reason when pid does not exist, belongs to
    // another user, is already traced, or has a thread that does not stop
    // by the deadline. The threads it stopped are let go then as they were;
    // one it seized that never stopped stays seized, untouched, until
    // stasis's thread ends (PTRACE_DETACH needs a stop; the kernel lets go
    // of a dead tracer's tracees).
    FrozenProcess(pid_t pid, const FreezeDeadline& deadline);
    // Adopts the hold the caller has on pid; a thread it does not name (none,
    // normally) is seized and stopped as above.
    FrozenProcess(pid_t pid, const HeldProcess& held, const FreezeDeadline& deadline);
    // Seizes every thread and sends each its interrupt without waiting for
    // the stops: in a frozen v1 cgroup they come only once it is thawed
    // (frozen_tree.cpp). await_stops() waits for them. Refused as above.
    struct Interrupted {};
    FrozenProcess(pid_t pid, Interrupted);
    ~FrozenProcess();
    FrozenProcess(const FrozenProcess&) = delete;
    FrozenProcess& operator=(const FrozenProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::vector<pid_t>& tids() const { return tids_; }

    // The signal that had stopped the process (job control: SIGSTOP,
    // SIGTSTP, ...) when it was frozen; 0 when it was running.
    [[nodiscard]] int stopped_by() const { return stopped_by_; }

    // Waits for the stops that FrozenProcess(pid, Interrupted) asked for,
    // then holds every thread that appeared since, as the other
    // constructors do; throws as they do.
    void await_stops(const FreezeDeadline& deadline);

    // SIGKILL while still frozen, so nothing runs past the checkpoint.
    void kill();

private:
    void check_access() const;
    void seize_all(const FreezeDeadline& deadline);
    [[noreturn]] void throw_traced(pid_t tid) const;
    bool seize(pid_t tid);
    bool await_stop(pid_t tid, const FreezeDeadline& deadline);
    void release() noexcept;

    pid_t pid_;
    std::vector<pid_t> tids_;
    std::size_t adopted_ = 0;  // tids_ begins with the caller's threads, never detached here
    std::size_t pending_ = 0;  // or with threads interrupted whose stop await_stops() waits for
    bool killed_ = false;
    int stopped_by_ = 0;
};

}  // namespace stasis
