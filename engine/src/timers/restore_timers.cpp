#include "timers/restore_timers.hpp"

#include "core/durations.hpp"
#include "core/error.hpp"
#include "core/remote_memory.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <cstddef>

namespace stasis {

namespace {

// Linux 6.17: while on, timer_create takes the id it is given in
// *created_timer_id instead of choosing one (EBUSY if it is taken). Debian
// 12's headers predate it.
constexpr int pr_timer_create_restore_ids = 77;
constexpr int pr_timer_create_restore_ids_off = 0;
constexpr int pr_timer_create_restore_ids_on = 1;

// The arguments of one timer_create, staged together.
struct CreateBlock {
    sigevent event;
    int id;
};

void set_restore_ids(RestoreContext& ctx, int mode)
{
    long r = ctx.main().call(SYS_prctl, {pr_timer_create_restore_ids, static_cast<std::uint64_t>(mode), 0, 0, 0});
    if (is_syscall_error(r)) {
        throw sys_error("process " + std::to_string(ctx.pid()) +
                            " had POSIX timers, and this kernel cannot give a new timer a chosen id "
                            "(prctl PR_TIMER_CREATE_RESTORE_IDS, Linux 6.17 and later)",
                        static_cast<int>(-r));
    }
}

// The ids the threads see themselves (the process may be in its own PID
// namespace): what SIGEV_THREAD_ID names.
std::vector<pid_t> own_tids(RestoreContext& ctx, const std::vector<pid_t>& tids)
{
    std::vector<pid_t> own;
    for (pid_t tid : tids) {
        SyscallInjector inj(tid, ctx.area_base());
        own.push_back(static_cast<pid_t>(inj.checked("gettid", SYS_gettid, {})));
    }
    return own;
}

void create_timer(RestoreContext& ctx, const PosixTimer& t, pid_t creator, const std::vector<pid_t>& own)
{
    CreateBlock block{};
    block.event.sigev_notify = t.notify;
    block.event.sigev_signo = t.signal;
    block.event.sigev_value.sival_ptr = reinterpret_cast<void*>(t.sigev_value);
    if ((t.notify & SIGEV_THREAD_ID) != 0) {
        // sigev_notify_thread_id, which glibc 2.36 does not name
        block.event._sigev_un._tid = own.at(static_cast<std::size_t>(t.target_thread));
    }
    block.id = t.id;
    std::uint64_t staged = ctx.stage_value(block);
    // A thread clock counts the CPU time of the thread that creates the timer.
    SyscallInjector inj(creator, ctx.area_base());
    inj.checked("timer_create", SYS_timer_create,
                {static_cast<std::uint64_t>(static_cast<std::int64_t>(t.clock)), staged,
                 staged + offsetof(CreateBlock, id)});
    int got = read_remote_value<int>(ctx.pid(), staged + offsetof(CreateBlock, id));
    if (got != t.id) {
        throw Error("process " + std::to_string(ctx.pid()) + ": POSIX timer " + std::to_string(t.id) +
                    " was made again with id " + std::to_string(got));
    }
}

void arm_timer(RestoreContext& ctx, const PosixTimer& t)
{
    if (t.value_ns == 0) {
        return;
    }
    itimerspec spec{to_timespec(t.interval_ns), to_timespec(t.value_ns)};
    ctx.main().checked("timer_settime", SYS_timer_settime,
                       {static_cast<std::uint64_t>(t.id), 0, ctx.stage_value(spec), 0});
}

void restore_posix_timers(RestoreContext& ctx, const ProcessState& process, const std::vector<pid_t>& tids)
{
    const auto& timers = process.timers.posix;
    if (timers.empty()) {
        return;
    }
    auto own = own_tids(ctx, tids);
    set_restore_ids(ctx, pr_timer_create_restore_ids_on);
    for (const auto& t : timers) {
        pid_t creator = t.clock_thread >= 0 ? tids.at(static_cast<std::size_t>(t.clock_thread)) : ctx.pid();
        create_timer(ctx, t, creator, own);
    }
    set_restore_ids(ctx, pr_timer_create_restore_ids_off);
    for (const auto& t : timers) {
        arm_timer(ctx, t);
    }
}

void restore_itimers(RestoreContext& ctx, const ProcessState& process)
{
    for (const auto& t : process.timers.itimers) {
        itimerval value{to_timeval(t.interval_us), to_timeval(t.value_us)};
        ctx.main().checked("setitimer", SYS_setitimer,
                           {static_cast<std::uint64_t>(t.which), ctx.stage_value(value), 0});
    }
}

}  // namespace

void restore_timers(RestoreContext& ctx, const ProcessState& process, const std::vector<pid_t>& tids)
{
    restore_posix_timers(ctx, process, tids);
    restore_itimers(ctx, process);
}

}  // namespace stasis
