#pragma once
// A process that a caller of stasis::dump already holds, as the agent's
// signal guard holds its job: every thread of it is traced by the calling
// thread (with PTRACE_O_TRACESYSGOOD) and in a ptrace stop. The dump works
// through that hold instead of attaching by itself, so the job is never
// without a tracer, and leaves the threads stopped for the caller to resume.
#include <sys/types.h>

#include <vector>

namespace stasis {

struct HeldProcess {
    std::vector<pid_t> tids;  // every thread, each in a ptrace stop
    int stopped_by = 0;       // the signal of a group stop the process is in, else 0
};

}  // namespace stasis
