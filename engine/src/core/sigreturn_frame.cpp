#include "core/sigreturn_frame.hpp"

#include "core/error.hpp"
#include "core/xsave_layout.hpp"

#include <algorithm>
#include <cstring>

namespace stasis {

namespace {

// The kernel's x86-64 struct sigcontext (uapi asm/sigcontext.h).
struct KernelSigcontext {
    std::uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    std::uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
    std::uint64_t rip, eflags;
    std::uint16_t cs, gs, fs, ss;
    std::uint64_t err, trapno, oldmask, cr2;
    std::uint64_t fpstate;
    std::uint64_t reserved[8];
};
static_assert(sizeof(KernelSigcontext) == 256);

// The kernel's stack_t.
struct KernelStack {
    std::uint64_t sp;
    std::int32_t flags;
    std::int32_t pad;
    std::uint64_t size;
};

// The kernel's struct ucontext (uapi asm-generic/ucontext.h), with its
// 64-bit signal mask.
struct KernelUcontext {
    std::uint64_t flags;
    std::uint64_t link;
    KernelStack stack;
    KernelSigcontext mcontext;
    std::uint64_t sigmask;
};
static_assert(sizeof(KernelUcontext) == 304);

// struct rt_sigframe: the return address a handler's `ret` pops, the
// context, then a siginfo that rt_sigreturn does not read.
struct RtSigframe {
    std::uint64_t return_address;
    KernelUcontext uc;
    std::uint8_t info[128];
};

// uc_flags: the FPU state is an XSAVE area; ss is in the context and is
// restored as it is.
constexpr std::uint64_t uc_fp_xstate = 0x1;
constexpr std::uint64_t uc_sigcontext_ss = 0x2;
constexpr std::uint64_t uc_strict_restore_ss = 0x4;

// rt_sigreturn also sets the alternate signal stack from the frame, and
// ignores every error but a fault while doing so: a mode that is neither 0,
// SS_ONSTACK nor SS_DISABLE leaves the thread's own one as it is.
constexpr std::int32_t keep_altstack = 3;

// The software-reserved words of the FXSAVE area that mark an XSAVE area in
// a signal frame (uapi asm/sigcontext.h struct _fpx_sw_bytes), and the magic
// word after the area.
constexpr std::size_t sw_bytes_offset = 464;
constexpr std::uint32_t fp_xstate_magic1 = 0x46505853;
constexpr std::uint32_t fp_xstate_magic2 = 0x46505845;
struct FpxSwBytes {
    std::uint32_t magic1;
    std::uint32_t extended_size;
    std::uint64_t xfeatures;
    std::uint32_t xstate_size;
    std::uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == 48);

// XRSTOR wants its area 64-byte aligned.
constexpr std::size_t xsave_alignment = 64;
constexpr std::size_t fpstate_offset = (sizeof(RtSigframe) + xsave_alignment - 1) / xsave_alignment * xsave_alignment;
constexpr std::size_t minimal_xsave_size = 576;  // legacy area and XSAVE header

// What the frame's XSAVE area claims to be. rt_sigreturn looks for the
// closing magic word right after an area as large as the task's own: newer
// kernels take that size from the task, older ones from the frame, which
// must not claim more than the task has. A task's area grows past the
// default only when it first uses a dynamic component (AMX tile data);
// ptrace always hands the largest. So while no dynamic component is in use
// the frame claims the default size and carries the word after both sizes:
// the bytes the first word covers belong to a component in its initial
// state, which is then not read back.
struct ClaimedArea {
    std::uint64_t features;
    std::size_t size;
};

ClaimedArea claimed_area(std::span<const std::uint8_t> xstate)
{
    std::uint64_t xcr0 = xcr0_of(xstate);
    std::uint64_t dynamic = dynamic_xfeatures(xcr0);
    if ((xfeatures_in_use(xstate) & dynamic) != 0 || dynamic == 0) {
        return {xcr0, xstate.size()};
    }
    std::uint64_t features = xcr0 & ~dynamic;
    return {features, std::min(xstate.size(), xsave_size_of(features))};
}

KernelSigcontext context_of(const user_regs_struct& regs, std::uint64_t fpstate)
{
    KernelSigcontext c{};
    c.r8 = regs.r8;
    c.r9 = regs.r9;
    c.r10 = regs.r10;
    c.r11 = regs.r11;
    c.r12 = regs.r12;
    c.r13 = regs.r13;
    c.r14 = regs.r14;
    c.r15 = regs.r15;
    c.rdi = regs.rdi;
    c.rsi = regs.rsi;
    c.rbp = regs.rbp;
    c.rbx = regs.rbx;
    c.rdx = regs.rdx;
    c.rax = regs.rax;
    c.rcx = regs.rcx;
    c.rsp = regs.rsp;
    c.rip = regs.rip;
    c.eflags = regs.eflags;
    c.cs = static_cast<std::uint16_t>(regs.cs);
    c.gs = static_cast<std::uint16_t>(regs.gs);
    c.fs = static_cast<std::uint16_t>(regs.fs);
    c.ss = static_cast<std::uint16_t>(regs.ss);
    c.fpstate = fpstate;
    return c;
}

}  // namespace

std::size_t sigreturn_frame_size(std::size_t xstate_size)
{
    return fpstate_offset + xstate_size + sizeof(fp_xstate_magic2);
}

SigreturnFrame sigreturn_frame(std::uint64_t at, const user_regs_struct& regs, std::span<const std::uint8_t> xstate,
                               std::uint64_t blocked, std::uint64_t return_address)
{
    if (at % xsave_alignment != 0 || xstate.size() < minimal_xsave_size) {
        throw Error("cannot build a return frame: misaligned address or an XSAVE area of " +
                    std::to_string(xstate.size()) + " bytes");
    }
    RtSigframe frame{};
    frame.return_address = return_address;
    frame.uc.flags = uc_fp_xstate | uc_sigcontext_ss | uc_strict_restore_ss;
    frame.uc.stack.flags = keep_altstack;
    frame.uc.mcontext = context_of(regs, at + fpstate_offset);
    frame.uc.sigmask = blocked;

    SigreturnFrame out;
    out.bytes.resize(sigreturn_frame_size(xstate.size()));
    std::memcpy(out.bytes.data(), &frame, sizeof(frame));
    std::byte* fp = out.bytes.data() + fpstate_offset;
    std::memcpy(fp, xstate.data(), xstate.size());
    auto claimed = claimed_area(xstate);
    FpxSwBytes sw{};
    sw.magic1 = fp_xstate_magic1;
    sw.extended_size = static_cast<std::uint32_t>(claimed.size + sizeof(fp_xstate_magic2));
    sw.xfeatures = claimed.features;
    sw.xstate_size = static_cast<std::uint32_t>(claimed.size);
    std::memcpy(fp + sw_bytes_offset, &sw, sizeof(sw));
    std::memcpy(fp + claimed.size, &fp_xstate_magic2, sizeof(fp_xstate_magic2));
    std::memcpy(fp + xstate.size(), &fp_xstate_magic2, sizeof(fp_xstate_magic2));
    // rt_sigreturn finds its frame one word below the stack pointer, where a
    // handler's return address was.
    out.stack_pointer = at + sizeof(frame.return_address);
    return out;
}

}  // namespace stasis
