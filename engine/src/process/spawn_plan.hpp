#pragma once
// Everything the processes of a restored tree need between fork and exec,
// prepared before the first fork so that they only make async-signal-safe
// calls: who forks whom, in which order, which fds each gets, and how the
// sessions, terminals and SysV segments come back.
#include "files/fd_table.hpp"
#include "files/restore_fds.hpp"
#include "process/process_state.hpp"
#include "shared_memory/restore_shared_memory.hpp"
#include "terminals/restore_terminal.hpp"

#include <cstddef>
#include <map>
#include <vector>

namespace stasis {

// What a process execs: its own program with no arguments, which the
// restore then turns into its checkpointed self; or, for a process started
// anew (ProcessState::relaunch), its program with its saved arguments and
// environment. Pointers into the tree's strings, NULL-terminated.
struct ExecLine {
    const char* path = nullptr;
    std::vector<char*> argv;
    std::vector<char*> envp;
};

struct SpawnPlan {
    const std::vector<ProcessState>* tree = nullptr;
    std::vector<std::size_t> parent;                 // per process: its parent's index (the root's: 0)
    std::vector<std::vector<std::size_t>> children;  // per process: indexes of its children, group leaders first
    std::vector<std::vector<FdPlacement>> placements;
    std::vector<ExecLine> exec_lines;
    std::vector<TerminalSession> terminal_sessions;
    std::vector<SysvSegment> segments;  // created by the namespace's init
    // Per process: forked from its parent after the parent's exec, not
    // spawned here (process/forked_children.hpp).
    std::vector<bool> by_fork;
    int report_fd = -1;  // datagram socket: each process sends its index; the kernel adds its pid
    int go_fd = -1;      // one byte per spawned process lets it go on to exec
    int next_pid_control = -1;  // the namespace's init's end of NextPid's socket, or -1
};

// The fds a process is handed across exec for its restore alone, above its
// own: shared memory it maps, and files its epolls watch at numbers it no
// longer holds them at.
struct HandedFds {
    std::map<ObjectId, int> shared_memory;
    EpollWatchFds epoll_watches;
};

HandedFds handed_fds(const std::vector<ProcessState>& tree, std::size_t index);

SpawnPlan make_spawn_plan(const std::vector<ProcessState>& tree, const OpenDescriptions& open,
                          const SharedMemory& shared, const RestoredTerminals& terminals);

// Whether the tree is restored inside new namespaces (process/namespace_init.hpp):
// always for an ordinary user, whose processes keep their pids only there;
// as root when it holds SysV segments.
bool needs_namespace(const SpawnPlan& plan);

}  // namespace stasis
