#pragma once
// Settings a process makes for itself with prctl or through /proc and that
// careful programs check after a restore: whether it may be core dumped,
// whether exec may grant it privileges, whether it gets transparent huge
// pages, whether it adopts orphaned descendants, how readily the OOM killer
// picks it, which membarrier commands it registered for, and which XSAVE
// components it asked the kernel for (AMX: process/dynamic_xstate.hpp).
#include <nlohmann/json_fwd.hpp>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

class RestoreContext;
class SyscallInjector;

struct ProcessAttributes {
    int dumpable = 1;  // PR_GET_DUMPABLE
    bool no_new_privs = false;
    bool thp_disabled = false;  // PR_SET_THP_DISABLE
    bool child_subreaper = false;
    int oom_score_adj = 0;
    std::vector<std::string> membarrier;  // process/membarrier_registrations.hpp
    std::uint64_t dynamic_xfeatures = 0;  // ARCH_GET_XCOMP_PERM's dynamic components
};

void to_json(nlohmann::json& j, const ProcessAttributes& a);
void from_json(const nlohmann::json& j, ProcessAttributes& a);

// Reads them through the stopped process's main thread; scratch: a writable
// page in the process for the calls that answer through memory.
ProcessAttributes read_process_attributes(pid_t pid, SyscallInjector& inj, std::uint64_t scratch);

// Sets them in the restored process. A lower oom_score_adj than the restorer
// has needs CAP_SYS_RESOURCE; without it the restored process keeps the
// restorer's, with one warning line.
void restore_process_attributes(RestoreContext& ctx, const ProcessAttributes& a);

}  // namespace stasis
