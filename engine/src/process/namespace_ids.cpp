#include "process/namespace_ids.hpp"

#include "core/proc.hpp"

#include <map>

namespace stasis {

void to_namespace_ids(Checkpoint& checkpoint)
{
    std::map<pid_t, pid_t> inner;  // outside pid -> innermost pid, for parent links
    for (const auto& p : checkpoint.processes) {
        inner[p.pid] = proc::innermost_id(proc::status_field(p.pid, "NSpid"));
    }
    for (auto& p : checkpoint.processes) {
        if (pid_t pgid = proc::innermost_id(proc::status_field(p.pid, "NSpgid")); pgid != 0) p.pgid = pgid;
        if (pid_t sid = proc::innermost_id(proc::status_field(p.pid, "NSsid")); sid != 0) p.sid = sid;
        for (auto& t : p.threads) {
            t.tid = proc::innermost_id(proc::status_field(p.pid, t.tid, "NSpid"));
        }
        if (auto it = inner.find(p.ppid); it != inner.end()) p.ppid = it->second;
        p.pid = inner[p.pid];
    }
    checkpoint.root_pid = checkpoint.processes.front().pid;
}

}  // namespace stasis
