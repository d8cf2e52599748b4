#pragma once
// The pages stasis maps in a process while it asks what only the process
// itself can tell: a data page the injected syscalls write into, and each
// thread's way back home. Every injected call runs so that a thread left in
// it (stasis killed between two ptrace stops) returns home by itself through
// an rt_sigreturn frame of its own state (see sigreturn_frame.hpp): through
// a stub in the area, or, for the area's own mmap and munmap, through code
// the process already has (return_gadgets.hpp) and a frame on its stack.
#include "core/syscall_injector.hpp"
#include "memory/region.hpp"
#include "process/return_gadgets.hpp"
#include "threads/thread_state.hpp"

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace stasis {

class InjectionArea {
public:
    // Maps the area with an mmap injected into `leader` (stopped).
    InjectionArea(pid_t pid, std::uint64_t syscall_ip, const ThreadState& leader, const std::vector<Region>& regions);
    ~InjectionArea() { unmap_quietly(); }
    InjectionArea(const InjectionArea&) = delete;
    InjectionArea& operator=(const InjectionArea&) = delete;

    // A page injected syscalls may write into.
    [[nodiscard]] std::uint64_t scratch() const;

    // An injector into thread t that puts it home after each call. One
    // thread at a time: the next thread's injector takes the frame over.
    SyscallInjector injector_for(const ThreadState& t);

    // After a thread's last call: lets it take its way back for real and
    // checks that it arrives as it was, so that every dump proves the way a
    // killed dumper relies on.
    void check_way_home(SyscallInjector& injector, const ThreadState& t);

    void unmap();
    // unmap() while already failing: the process may keep a stray mapping.
    void unmap_quietly() noexcept;

    // Signals that arrived during the area's own mmap and munmap.
    std::vector<siginfo_t> take_intercepted() { return std::move(intercepted_); }

private:
    long call_in_leader(long nr, std::initializer_list<std::uint64_t> args);
    SyscallInjector leader_injector(std::optional<std::uint64_t>& frame_at);
    void set_up_stub();

    pid_t pid_;
    ThreadState leader_;
    std::uint64_t syscall_ip_;
    std::optional<ReturnGadgets> gadgets_;
    std::uint64_t stack_floor_ = 0;  // the lowest address of the leader's stack mapping
    std::uint64_t base_ = 0;
    std::vector<siginfo_t> intercepted_;
};

// Where thread t goes back to after an injected call: its registers as
// found, an interrupted syscall set to restart. same_task: whether its
// restart block is still intact then (see ptrace::rewind_interrupted_syscall).
user_regs_struct home_of(const ThreadState& t, bool same_task);

}  // namespace stasis
