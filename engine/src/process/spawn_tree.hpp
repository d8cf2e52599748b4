#pragma once
// Creating the restored tree's processes: the same parent/child shape, fds,
// sessions and groups, each stopped under stasis's ptrace at the exec of its
// saved program. Unprivileged restores run in a new user + PID namespace so
// that every process gets its saved pid back: a shell waits for its
// children by pid, and a program finds the pid it wrote into a file name, a
// lock or a log, a single process too.
#include "files/restore_fds.hpp"
#include "process/next_pid.hpp"
#include "process/process_state.hpp"
#include "shared_memory/restore_shared_memory.hpp"
#include "terminals/restore_terminal.hpp"

#include <stasis/unique_fd.hpp>

#include <sys/types.h>

#include <vector>

namespace stasis {

// What the processes forked from their restored parents need
// (process/forked_children.hpp): their fds, which stasis hands over a
// socket their parent holds for them, and their pids.
struct ForkHandover {
    std::vector<bool> by_fork;                     // per process
    std::vector<std::vector<FdPlacement>> placements;  // per process forked: its fds (stasis's ends)
    std::vector<int> channel_at;  // per process: the fd its forked children inherit the socket at, or -1
    UniqueFd channel;             // stasis's end of that socket
    NextPid next_pid;
};

struct SpawnedTree {
    std::vector<pid_t> pids;  // pid (as stasis sees it) per process of the checkpoint, 0 for zombies
    pid_t child = 0;          // stasis's own child: the root, or the namespace's init
    ForkHandover forks;
};

// Every non-zombie process not forked from its parent ends stopped at its
// PTRACE_EVENT_EXEC stop, with its execve finished, and the sessions that
// had a terminal with its pty as their controlling terminal. On error
// everything spawned is killed. The descriptions in open and shared must
// stay open until the forked processes have their fds.
SpawnedTree spawn_tree(const std::vector<ProcessState>& tree, const OpenDescriptions& open,
                       const SharedMemory& shared, const RestoredTerminals& terminals);

// Ends a tree that could not be restored. Its processes are stasis's
// tracees: their deaths must be collected here, or their parents would wait
// for them for ever.
void kill_spawned(const SpawnedTree& spawned) noexcept;

}  // namespace stasis
