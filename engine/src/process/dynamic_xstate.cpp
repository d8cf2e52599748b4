#include "process/dynamic_xstate.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/restore_context.hpp"
#include "core/syscall_injector.hpp"
#include "core/xsave_layout.hpp"
#include "core/remote_memory.hpp"
#include "threads/thread_state.hpp"

#include <asm/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <array>
#include <bit>
#include <cstring>
#include <string>

namespace stasis {

namespace {

constexpr int xtile_data = 18;

// ldtilecfg (%rdi); tilezero %tmm0; syscall; nops. Tile data is what the
// kernel hands out on first use: in a thread that has the permission but not
// the area, the tilezero traps, the kernel enlarges the thread's area and
// runs it again. The tile state it leaves is replaced by the saved one.
constexpr std::uint8_t tile_touch_code[] = {0xc4, 0xe2, 0x78, 0x49, 0x07, 0xc4, 0xe2, 0x7b,
                                            0x49, 0xc0, 0x0f, 0x05, 0x90, 0x90, 0x90, 0x90};
static_assert(sizeof(tile_touch_code) % sizeof(long) == 0);

// A tile configuration with tile 0 in use (palette 1, 16 rows of 64 bytes),
// laid out as ldtilecfg reads it.
std::array<std::byte, 64> tile0_config()
{
    constexpr std::size_t palette = 0, first_colsb = 16, first_rows = 48;
    std::array<std::byte, 64> config{};
    config[palette] = std::byte{1};
    config[first_colsb] = std::byte{64};
    config[first_rows] = std::byte{16};
    return config;
}

// In the injection area's code page, after its own `syscall`.
constexpr std::uint64_t tile_touch_offset = 8;

std::string component_name(int index)
{
    return index == xtile_data ? "AMX tile data" : "XSAVE component " + std::to_string(index);
}

void write_tile_touch(RestoreContext& ctx)
{
    for (std::size_t at = 0; at < sizeof(tile_touch_code); at += sizeof(long)) {
        long word = 0;
        std::memcpy(&word, tile_touch_code + at, sizeof(word));
        // The code page is not writable: written the way a debugger writes code.
        if (::ptrace(PTRACE_POKETEXT, ctx.pid(), ctx.area_base() + tile_touch_offset + at, word) < 0) {
            throw sys_error("writing code into the restored process " + std::to_string(ctx.pid()));
        }
    }
}

}  // namespace

std::uint64_t read_dynamic_permission(pid_t pid, SyscallInjector& inj, std::uint64_t scratch)
{
    // Kernels before 5.16 and CPUs without such components know nothing to permit.
    if (is_syscall_error(inj.call(SYS_arch_prctl, {ARCH_GET_XCOMP_PERM, scratch}))) {
        return 0;
    }
    auto permitted = read_remote_value<std::uint64_t>(pid, scratch);
    return permitted & dynamic_xfeatures(permitted);
}

void restore_dynamic_permission(RestoreContext& ctx, std::uint64_t permitted)
{
    for (std::uint64_t left = permitted; left != 0; left &= left - 1) {
        int index = std::countr_zero(left);
        long rc = ctx.main().call(SYS_arch_prctl, {ARCH_REQ_XCOMP_PERM, static_cast<std::uint64_t>(index)});
        if (is_syscall_error(rc)) {
            throw sys_error("the process used " + component_name(index) + ", which this node does not grant " +
                                "(arch_prctl ARCH_REQ_XCOMP_PERM)",
                            static_cast<int>(-rc));
        }
    }
}

void make_room_for_dynamic_state(RestoreContext& ctx, const std::vector<ThreadState>& threads,
                                 const std::vector<pid_t>& tids)
{
    bool written = false;
    for (std::size_t i = 0; i < threads.size(); ++i) {
        const auto& xstate = threads[i].xstate;
        std::uint64_t live = xfeatures_in_use(xstate) & dynamic_xfeatures(xcr0_of(xstate));
        if (live == 0) {
            continue;
        }
        if (live != (std::uint64_t{1} << xtile_data)) {
            throw Error("thread " + std::to_string(threads[i].tid) + " holds dynamic XSAVE state " + hex_address(live) +
                        " that stasis does not know how to make room for");
        }
        if (!written) {
            write_tile_touch(ctx);
            written = true;
        }
        SyscallInjector inj(tids[i], ctx.area_base() + tile_touch_offset);
        inj.checked("getpid after the first tile instructions", SYS_getpid, {ctx.stage(tile0_config())});
    }
}

}  // namespace stasis
