#pragma once
// Terminals on any fd (a pty slave, a console or serial line, /dev/tty):
// recorded with their settings and whose controlling terminal they were
// (terminals/dump_terminal.hpp), restored on new ptys
// (terminals/restore_terminal.hpp). A BSD pty master is refused; a
// /dev/ptmx master in the tree is pty_pairs/'s.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& terminal_kind();

}  // namespace stasis
