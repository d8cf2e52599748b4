#pragma once
// Pipes and FIFOs: one with both ends in the tree (or a reader and no writer
// left anywhere) comes back with its unread bytes; one leading out of the
// tree is handed over on fds 0-2 (kind inherit) and refused beyond them.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& pipe_kind();

}  // namespace stasis
