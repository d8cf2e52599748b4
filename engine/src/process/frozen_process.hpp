#pragma once
// A process whose every thread is held in a ptrace stop (PTRACE_SEIZE +
// PTRACE_INTERRUPT), so its state can be read consistently. Releasing it
// (destructor) detaches and lets it run on; kill() ends it instead.
#include <sys/types.h>

#include <vector>

namespace stasis {

class FrozenProcess {
public:
    // Throws an Error naming the reason when pid does not exist, belongs to
    // another user, or is already traced.
    explicit FrozenProcess(pid_t pid);
    ~FrozenProcess();
    FrozenProcess(const FrozenProcess&) = delete;
    FrozenProcess& operator=(const FrozenProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::vector<pid_t>& tids() const { return tids_; }

    // SIGKILL while still frozen, so nothing runs past the checkpoint.
    void kill();

private:
    void check_access() const;
    void seize_all();
    bool interrupt(pid_t tid);
    void release() noexcept;

    pid_t pid_;
    std::vector<pid_t> tids_;
    bool killed_ = false;
};

}  // namespace stasis
