#pragma once
// The restore half of timers: every POSIX timer made again inside the
// restored process with its saved id (prctl PR_TIMER_CREATE_RESTORE_IDS),
// clock and notification, and armed with the time it had left; the
// interval timers likewise. Done last, while the process still has every
// signal blocked, so an expiry during the rest of the restore waits as a
// pending signal.
#include "core/restore_context.hpp"
#include "process/process_state.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// tids: the restored threads as stasis sees them, in the order of
// process.threads.
void restore_timers(RestoreContext& ctx, const ProcessState& process, const std::vector<pid_t>& tids);

}  // namespace stasis
