#pragma once
// A pty master held inside the tree (/dev/ptmx): recorded with its slave's
// settings and the bytes queued in the pair (pty_pairs/dump_pty_master.hpp),
// restored on a new pty whose slave the tree's slave fds then open
// (terminals/restore_terminal.hpp).
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& pty_master_kind();

}  // namespace stasis
