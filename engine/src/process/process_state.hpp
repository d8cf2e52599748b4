#pragma once
// What the image keeps of one process: identity and place in the tree,
// attributes (cwd, umask, limits, prctl settings), signal handlers and the process-wide
// signal queue, and the parts each kind of kernel object records: threads,
// memory, fds, SysV segments, timers.
#include "files/fd_state.hpp"
#include "memory/region.hpp"
#include "process/process_attributes.hpp"
#include "process/signal_state.hpp"
#include "shared_memory/sysv_segment.hpp"
#include "threads/thread_state.hpp"
#include "timers/timer_state.hpp"

#include <nlohmann/json_fwd.hpp>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stasis {

// A process that a restore starts anew instead of bringing back: its
// program, run again with the same arguments and environment, with its
// pid, parent, group, session, working directory, limits and fds 0-2
// (DumpOptions::relaunch).
struct Relaunch {
    std::vector<std::string> argv;
    std::vector<std::string> env;
};

struct ProcessState {
    pid_t pid = 0, ppid = 0, pgid = 0, sid = 0;
    bool zombie = false;  // exited, not yet reaped: only wait_status is kept
    int wait_status = 0;
    int stopped_by = 0;  // the job-control signal it was stopped by (SIGSTOP, ...), 0 if running
    std::string exe;
    std::string comm;
    std::string cwd;
    std::uint32_t umask = 022;
    std::vector<std::array<std::uint64_t, 2>> rlimits;
    ProcessAttributes attributes;
    MmState mm;
    std::vector<SigAction> sigactions;
    std::vector<SigInfoBytes> shared_pending;
    std::vector<ThreadState> threads;  // threads[0] is the thread-group leader
    std::vector<Region> regions;
    std::vector<FdState> fds;
    std::vector<SysvSegment> sysv_segments;  // those this process has attached
    TimerState timers;
    std::optional<Relaunch> relaunch;  // set: started anew, nothing else above but identity and fds is saved
};

void to_json(nlohmann::json& j, const ProcessState& p);
void from_json(const nlohmann::json& j, ProcessState& p);

}  // namespace stasis
