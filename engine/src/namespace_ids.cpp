#include "namespace_ids.hpp"

#include "proc.hpp"

#include <map>
#include <sstream>

namespace stasis {

namespace {

// The last number of an "NSpid:"-style status line: the innermost namespace's.
pid_t innermost(const std::string& status_path, const std::string& key)
{
    std::istringstream in(proc::read_text(status_path));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            std::istringstream values(line.substr(key.size() + 1));
            pid_t v = 0, last = 0;
            while (values >> v) {
                last = v;
            }
            return last;
        }
    }
    return 0;
}

}  // namespace

void to_namespace_ids(Checkpoint& checkpoint)
{
    std::map<pid_t, pid_t> inner;  // outside pid -> innermost pid, for parent links
    for (const auto& p : checkpoint.processes) {
        inner[p.pid] = innermost("/proc/" + std::to_string(p.pid) + "/status", "NSpid");
    }
    for (auto& p : checkpoint.processes) {
        std::string status = "/proc/" + std::to_string(p.pid) + "/status";
        if (pid_t pgid = innermost(status, "NSpgid"); pgid != 0) p.pgid = pgid;
        if (pid_t sid = innermost(status, "NSsid"); sid != 0) p.sid = sid;
        for (auto& t : p.threads) {
            t.tid = innermost("/proc/" + std::to_string(p.pid) + "/task/" + std::to_string(t.tid) + "/status", "NSpid");
        }
        if (auto it = inner.find(p.ppid); it != inner.end()) p.ppid = it->second;
        p.pid = inner[p.pid];
    }
    checkpoint.root_pid = checkpoint.processes.front().pid;
}

}  // namespace stasis
