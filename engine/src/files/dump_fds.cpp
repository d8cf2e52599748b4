#include "files/dump_fds.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "files/fd_kind.hpp"

#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace stasis {

namespace {

FdProbe probe_fd(pid_t pid, int fd)
{
    FdProbe probe;
    probe.pid = pid;
    probe.fd = fd;
    probe.link = proc::read_link(probe.proc_path());
    probe.fdinfo = proc::read_text("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd));
    if (::stat(probe.proc_path().c_str(), &probe.st) < 0) {
        throw sys_error("cannot inspect fd " + std::to_string(fd) + " of process " + std::to_string(pid));
    }
    return probe;
}

FdState read_fd(pid_t pid, int fd)
{
    auto probe = probe_fd(pid, fd);
    FdState state;
    state.fd = fd;
    state.path = probe.link;
    state.pos = std::stoll(proc::key_value(probe.fdinfo, "pos"));
    state.flags = static_cast<int>(std::stoul(proc::key_value(probe.fdinfo, "flags"), nullptr, 8));
    const auto& kinds = fd_kinds();
    auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const FdKindOps* k) { return k->recognizes(probe); });
    if (kind == kinds.end()) {
        refuse_fd(probe, "a kernel object");
    }
    state.kind = (*kind)->kind;
    (*kind)->dump(probe, state);
    return state;
}

bool same_description(pid_t pid_a, int fd_a, pid_t pid_b, int fd_b)
{
    return ::syscall(SYS_kcmp, pid_a, pid_b, KCMP_FILE, fd_a, fd_b) == 0;
}

}  // namespace

std::vector<FdState> read_fds(pid_t pid)
{
    std::vector<FdState> fds;
    for (long fd : proc::numbered_entries("/proc/" + std::to_string(pid) + "/fd")) {
        fds.push_back(read_fd(pid, static_cast<int>(fd)));
    }
    return fds;
}

void link_descriptions(std::vector<ProcessState>& tree)
{
    struct Seen {
        pid_t pid;
        int fd;
        int description;
    };
    std::vector<Seen> seen;
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            auto it = std::find_if(seen.begin(), seen.end(), [&](const Seen& s) {
                return same_description(s.pid, s.fd, p.pid, fd.fd);
            });
            fd.description = it != seen.end() ? it->description : static_cast<int>(seen.size());
            seen.push_back({p.pid, fd.fd, fd.description});
        }
    }
    for (const auto* kind : fd_kinds()) {
        if (kind->link_tree != nullptr) {
            kind->link_tree(tree);
        }
    }
}

void capture_fd_objects(const std::vector<ProcessState>& tree, Checkpoint& checkpoint)
{
    for (const auto* kind : fd_kinds()) {
        if (kind->capture != nullptr) {
            kind->capture(tree, checkpoint);
        }
    }
}

}  // namespace stasis
