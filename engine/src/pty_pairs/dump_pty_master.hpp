#pragma once
// A pty master the tree holds (/dev/ptmx), read through a copy of the tree's
// fd (pidfd_getfd): its slave's number, device, termios and window size, its
// packet mode and lock, and, once per open file description while the tree
// is frozen, what is queued unread in the pair each way (taken and put
// straight back: pty_queues.hpp). Restored by terminals/restore_terminal.hpp.
#include "files/fd_kind.hpp"
#include "process/process_state.hpp"

#include <vector>

namespace stasis {

// The fd kind's dump: fills fd.detail (a PtyMasterState without queues).
void read_pty_master(const FdProbe& probe, FdState& fd);

// For each master description of the tree: refuses a pair it cannot bring
// back (slave output unread by a master in packet mode) with one line
// naming the process and fd, else takes the queued bytes into the detail of
// its fds and puts them back.
void capture_pty_queues(std::vector<ProcessState>& tree);

}  // namespace stasis
