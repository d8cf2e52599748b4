#include "process/injection_area.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/ptrace_ops.hpp"
#include "core/remote_memory.hpp"
#include "core/sigreturn_frame.hpp"

#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <cstring>
#include <iterator>
#include <utility>

namespace stasis {

namespace {

// Page 0: the stub; page 1: the data page; the frame at the top, with room
// below it for the frame of a signal handled while a thread is in the stub.
constexpr std::uint64_t area_size = 16 * page_size;
constexpr std::uint64_t frame_floor = 6 * page_size;

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
    return a.size() == b.size() && std::equal(a.begin(), a.begin() + xsave_sw_bytes_begin, b.begin()) &&
           std::equal(a.begin() + xsave_sw_bytes_end, a.end(), b.begin() + xsave_sw_bytes_end);
}

// A call through the vDSO's syscall instruction, with no way home should
// stasis die in it: the thread is put home right after it. Only the area's
// own mmap and munmap are made so.
long call_then_home(SyscallInjector& plain, const user_regs_struct& home, long nr,
                    std::initializer_list<std::uint64_t> args)
{
    try {
        long result = plain.call(nr, args);
        ptrace::set_regs(plain.tid(), home);
        return result;
    } catch (...) {
        ::ptrace(PTRACE_SETREGS, plain.tid(), nullptr, &home);  // it may be gone: nothing more to do then
        throw;
    }
}

}  // namespace

user_regs_struct home_of(const ThreadState& t, bool same_task)
{
    auto regs = t.regs;
    ptrace::rewind_interrupted_syscall(regs, same_task);
    return regs;
}

InjectionArea::InjectionArea(pid_t pid, std::uint64_t syscall_ip, const ThreadState& leader)
    : pid_(pid), leader_(leader.tid), syscall_ip_(syscall_ip), leader_home_(home_of(leader, true))
{
    SyscallInjector plain(leader_, syscall_ip_);
    // Not writable yet: the stub is written the way a debugger writes code.
    long base = call_then_home(plain, leader_home_, SYS_mmap,
                               {0, area_size, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                                static_cast<std::uint64_t>(-1), 0});
    intercepted_ = plain.take_intercepted();
    if (is_syscall_error(base)) {
        throw sys_error("mmap of the injection area in process " + std::to_string(pid_), static_cast<int>(-base));
    }
    base_ = static_cast<std::uint64_t>(base);
    try {
        set_up_stub(leader);
    } catch (...) {
        unmap_quietly();
        throw;
    }
}

void InjectionArea::set_up_stub(const ThreadState& leader)
{
    write_remote(pid_, base_, std::as_bytes(std::span(stub_code)));
    auto inj = injector_for(leader);
    inj.checked("mprotect of the injection area", SYS_mprotect,
                {base_ + page_size, area_size - page_size, PROT_READ | PROT_WRITE});
    auto more = inj.take_intercepted();
    intercepted_.insert(intercepted_.end(), more.begin(), more.end());
}

std::uint64_t InjectionArea::scratch() const
{
    return base_ + page_size;
}

SyscallInjector InjectionArea::injector_for(const ThreadState& t)
{
    std::uint64_t at = (base_ + area_size - sigreturn_frame_size(t.xstate.size())) & ~std::uint64_t{63};
    if (at < base_ + frame_floor) {
        throw Error("thread " + std::to_string(t.tid) + " has an XSAVE area of " + std::to_string(t.xstate.size()) +
                    " bytes, too large for the injection area");
    }
    // A thread restarting through restart_syscall needs its restart block,
    // which rt_sigreturn clears: its frame restarts the original call.
    auto frame = sigreturn_frame(at, home_of(t, false), t.xstate, t.sigmask);
    write_remote(pid_, at, frame.bytes);
    SyscallInjector inj(t.tid, syscall_ip_);
    inj.return_home(home_of(t, true), base_, frame.stack_pointer);
    return inj;
}

void InjectionArea::check_way_home(SyscallInjector& injector, const ThreadState& t)
{
    auto home = home_of(t, true);
    if (!same_regs(home, home_of(t, false))) {
        return;  // its frame restarts the original call; it is home already
    }
    auto arrived = injector.go_home_through_frame();
    bool regs_ok = same_regs(arrived, home);
    bool fpu_ok = same_xstate(ptrace::get_xstate(t.tid), t.xstate);
    if (!regs_ok || !fpu_ok) {
        ptrace::set_regs(t.tid, home);
        ptrace::set_xstate(t.tid, t.xstate);
        throw Error("thread " + std::to_string(t.tid) + " did not come back from its return frame with its " +
                    (regs_ok ? "FPU state" : "registers") + " as they were");
    }
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
    SyscallInjector plain(leader_, syscall_ip_);
    long result = call_then_home(plain, leader_home_, SYS_munmap, {base, area_size});
    auto more = plain.take_intercepted();
    intercepted_.insert(intercepted_.end(), more.begin(), more.end());
    if (is_syscall_error(result)) {
        throw sys_error("munmap of the injection area in process " + std::to_string(pid_), static_cast<int>(-result));
    }
}

}  // namespace stasis
