#pragma once
// The pages stasis maps in a process while it asks what only the process
// itself can tell: a data page the injected syscalls write into, and the
// way back home of each thread. Every injected call but the area's own mmap
// and munmap runs through a stub and an rt_sigreturn frame (see
// sigreturn_frame.hpp), so that a dumper killed at any moment leaves no
// thread running on with stasis's registers.
#include "core/syscall_injector.hpp"
#include "threads/thread_state.hpp"

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace stasis {

class InjectionArea {
public:
    // Maps the area with an mmap injected into `leader` (stopped), which is
    // back at its home registers right after it.
    InjectionArea(pid_t pid, std::uint64_t syscall_ip, const ThreadState& leader);
    ~InjectionArea() { unmap_quietly(); }
    InjectionArea(const InjectionArea&) = delete;
    InjectionArea& operator=(const InjectionArea&) = delete;

    // A page injected syscalls may write into.
    [[nodiscard]] std::uint64_t scratch() const;

    // An injector into thread t that brings it home after each call, and
    // whose thread goes home by itself should stasis die meanwhile. One
    // thread at a time: the next thread's injector takes the frame over.
    SyscallInjector injector_for(const ThreadState& t);

    // After a thread's last call: sends it home through its frame for real
    // and checks that it arrives as it was, so that every dump proves the
    // way back that a killed dumper relies on.
    void check_way_home(SyscallInjector& injector, const ThreadState& t);

    void unmap();
    // unmap() while already failing: the process may keep a stray mapping.
    void unmap_quietly() noexcept;

    // Signals that arrived during the area's own mmap and munmap.
    std::vector<siginfo_t> take_intercepted() { return std::move(intercepted_); }

private:
    void set_up_stub(const ThreadState& leader);

    pid_t pid_;
    pid_t leader_;
    std::uint64_t syscall_ip_;
    user_regs_struct leader_home_;
    std::uint64_t base_ = 0;
    std::vector<siginfo_t> intercepted_;
};

// Where thread t goes back to after an injected call: its registers as
// found, an interrupted syscall set to restart. same_task: whether its
// restart block is still intact then (see ptrace::rewind_interrupted_syscall).
user_regs_struct home_of(const ThreadState& t, bool same_task);

}  // namespace stasis
