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

// kcmp's order of two processes' fd tables: 0 the same table, 1 a's first.
long compare_fd_tables(pid_t a, pid_t b)
{
    return ::syscall(SYS_kcmp, a, b, KCMP_FILES, 0, 0);
}

// A restored process gets its fds before its exec, and exec gives it a
// table of its own, so two processes that share one (clone with
// CLONE_FILES and without CLONE_VM) cannot be restored sharing it.
void refuse_shared_fd_tables(const std::vector<ProcessState>& tree)
{
    std::vector<pid_t> pids;
    for (const auto& p : tree) {
        pids.push_back(p.pid);
    }
    std::sort(pids.begin(), pids.end(), [](pid_t a, pid_t b) { return compare_fd_tables(a, b) == 1; });
    for (std::size_t i = 1; i < pids.size(); ++i) {
        if (compare_fd_tables(pids[i - 1], pids[i]) == 0) {
            throw Error("processes " + std::to_string(pids[i - 1]) + " and " + std::to_string(pids[i]) +
                        " share one fd table (clone with CLONE_FILES), which stasis cannot restore yet");
        }
    }
}

}  // namespace

std::vector<FdState> read_fds(pid_t pid, int last_fd)
{
    std::vector<FdState> fds;
    for (long fd : proc::numbered_entries("/proc/" + std::to_string(pid) + "/fd")) {
        if (fd <= last_fd) {
            fds.push_back(read_fd(pid, static_cast<int>(fd)));
        }
    }
    return fds;
}

void link_descriptions(std::vector<ProcessState>& tree)
{
    refuse_shared_fd_tables(tree);
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
