#include "process/injection_area.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/ptrace_ops.hpp"
#include "core/remote_memory.hpp"
#include "core/sigreturn_frame.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace stasis {

namespace {

// Page 0: the stub; page 1: the data page; the frame at the top, with room
// below it for the frame of a signal handled while a thread is in the stub.
constexpr std::uint64_t area_size = 16 * page_size;
constexpr std::uint64_t frame_floor = 6 * page_size;
constexpr std::uint64_t frame_alignment = 64;
// What a function may use below its stack pointer (the x86-64 ABI).
constexpr std::uint64_t red_zone = 128;

// syscall; mov $15 (rt_sigreturn), %eax; syscall
constexpr std::uint8_t stub_code[] = {0x0f, 0x05, 0xb8, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};

// The XSAVE words that are the kernel's bookkeeping (XCR0 under ptrace, the
// frame's magic words in a signal frame), not the thread's state.
constexpr std::size_t xsave_sw_bytes_begin = 464;
constexpr std::size_t xsave_sw_bytes_end = 512;

bool same_regs(const user_regs_struct& a, const user_regs_struct& b)
{
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

bool same_xstate(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b)
{
    auto sw_begin = static_cast<std::ptrdiff_t>(xsave_sw_bytes_begin);
    auto sw_end = static_cast<std::ptrdiff_t>(xsave_sw_bytes_end);
    return a.size() == b.size() && std::equal(a.begin(), a.begin() + sw_begin, b.begin()) &&
           std::equal(a.begin() + sw_end, a.end(), b.begin() + sw_end);
}

// A thread restarting through restart_syscall needs its restart block,
// which rt_sigreturn clears: its frame restarts the original call instead,
// and it must not be sent home through it while stasis is alive.
bool can_walk_home(const ThreadState& t)
{
    return same_regs(home_of(t, true), home_of(t, false));
}

// Only the process's main stack: below the stack pointer there, nothing is
// live. A thread on another stack may be in a signal handler on an
// alternate stack, below which lies memory still in use.
std::uint64_t stack_floor_of(const ThreadState& t, const std::vector<Region>& regions)
{
    for (const auto& r : regions) {
        if (r.path == "[stack]" && r.start <= t.regs.rsp && t.regs.rsp < r.end) {
            return r.start;
        }
    }
    return t.regs.rsp;  // no room at all
}

// The arrival of a thread that walked home must be its home.
void expect_arrived(const ThreadState& t, const user_regs_struct& arrived)
{
    auto home = home_of(t, true);
    bool regs_ok = same_regs(arrived, home);
    bool fpu_ok = same_xstate(ptrace::get_xstate(t.tid), t.xstate);
    if (!regs_ok || !fpu_ok) {
        ptrace::set_regs(t.tid, home);
        ptrace::set_xstate(t.tid, t.xstate);
        throw Error("thread " + std::to_string(t.tid) + " did not come back from its return frame with its " +
                    (regs_ok ? "FPU state" : "registers") + " as they were");
    }
}

}  // namespace

user_regs_struct home_of(const ThreadState& t, bool same_task)
{
    auto regs = t.regs;
    ptrace::rewind_interrupted_syscall(regs, same_task);
    return regs;
}

InjectionArea::InjectionArea(pid_t pid, std::uint64_t syscall_ip, const ThreadState& leader,
                             const std::vector<Region>& regions)
    : pid_(pid),
      leader_(leader),
      syscall_ip_(syscall_ip),
      gadgets_(find_return_gadgets(pid, regions)),
      stack_floor_(stack_floor_of(leader, regions))
{
    // Not writable yet: the stub is written the way a debugger writes code.
    long base = call_in_leader(SYS_mmap, {0, area_size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                                          static_cast<std::uint64_t>(-1), 0});
    if (is_syscall_error(base)) {
        throw sys_error("mmap of the injection area in process " + std::to_string(pid_), static_cast<int>(-base));
    }
    base_ = static_cast<std::uint64_t>(base);
    try {
        set_up_stub();
    } catch (...) {
        unmap_quietly();
        throw;
    }
}

void InjectionArea::set_up_stub()
{
    write_remote(pid_, base_, std::as_bytes(std::span(stub_code)));
    auto inj = injector_for(leader_);
    inj.checked("mprotect of the injection area", SYS_mprotect,
                {base_ + page_size, area_size - page_size, PROT_READ | PROT_WRITE});
    auto more = inj.take_intercepted();
    intercepted_.insert(intercepted_.end(), more.begin(), more.end());
}

// The leader's injector for the area's own mmap and munmap: from the vDSO's
// "syscall; leave; ...; ret" with the frame pointer set so that the `ret`
// pops the restorer from a frame below the leader's red zone. Without such
// code or room on the stack, the call has no way back.
SyscallInjector InjectionArea::leader_injector(std::optional<std::uint64_t>& frame_at)
{
    auto home = home_of(leader_, true);
    auto launch = home;
    launch.rip = syscall_ip_;
    std::uint64_t size = sigreturn_frame_size(leader_.xstate.size());
    std::uint64_t at = (home.rsp - red_zone - size) & ~(frame_alignment - 1);
    frame_at.reset();
    if (gadgets_ && home.rsp > red_zone + size + frame_alignment && at - sizeof(std::uint64_t) >= stack_floor_) {
        auto frame = sigreturn_frame(at, home_of(leader_, false), leader_.xstate, leader_.sigmask, gadgets_->sigreturn);
        write_remote(pid_, at, frame.bytes);
        launch.rip = gadgets_->syscall_leave_ret;
        launch.rbp = at - sizeof(std::uint64_t);  // `leave` pops it; the `ret` then pops the frame's first word
        frame_at = at;
    }
    SyscallInjector inj(leader_.tid, syscall_ip_);
    inj.return_home(home, launch);
    return inj;
}

long InjectionArea::call_in_leader(long nr, std::initializer_list<std::uint64_t> args)
{
    std::optional<std::uint64_t> frame_at;
    auto inj = leader_injector(frame_at);
    long result = 0;
    if (frame_at && can_walk_home(leader_)) {
        auto [value, arrived] = inj.call_and_walk_home(nr, args);
        result = value;
        expect_arrived(leader_, arrived);
    } else {
        result = inj.call(nr, args);
    }
    auto more = inj.take_intercepted();
    intercepted_.insert(intercepted_.end(), more.begin(), more.end());
    return result;
}

std::uint64_t InjectionArea::scratch() const
{
    return base_ + page_size;
}

SyscallInjector InjectionArea::injector_for(const ThreadState& t)
{
    std::uint64_t at = (base_ + area_size - sigreturn_frame_size(t.xstate.size())) & ~(frame_alignment - 1);
    if (at < base_ + frame_floor) {
        throw Error("thread " + std::to_string(t.tid) + " has an XSAVE area of " + std::to_string(t.xstate.size()) +
                    " bytes, too large for the injection area");
    }
    auto frame = sigreturn_frame(at, home_of(t, false), t.xstate, t.sigmask, 0);
    write_remote(pid_, at, frame.bytes);
    auto home = home_of(t, true);
    auto launch = home;
    launch.rip = base_;
    launch.rsp = frame.stack_pointer;
    SyscallInjector inj(t.tid, syscall_ip_);
    inj.return_home(home, launch);
    return inj;
}

void InjectionArea::check_way_home(SyscallInjector& injector, const ThreadState& t)
{
    if (!can_walk_home(t)) {
        return;
    }
    auto [pid, arrived] = injector.call_and_walk_home(SYS_getpid, {});
    expect_arrived(t, arrived);
}

void InjectionArea::unmap_quietly() noexcept
{
    try {
        unmap();
    } catch (...) {  // NOLINT(bugprone-empty-catch): the error being handled is the one to report
    }
}

void InjectionArea::unmap()
{
    if (base_ == 0) {
        return;
    }
    auto base = std::exchange(base_, 0);
    long result = call_in_leader(SYS_munmap, {base, area_size});
    if (is_syscall_error(result)) {
        throw sys_error("munmap of the injection area in process " + std::to_string(pid_), static_cast<int>(-result));
    }
}

}  // namespace stasis
