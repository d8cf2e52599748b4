#pragma once
// `stasis restore` of a tree that was on a terminal: like script(1), it
// stands between the restored tree's ptys and its own stdin and stdout.
#include "terminals/restore_terminal.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// Copies what the restored programs write on their terminals to stdout, and
// stdin to the first pty (the root's terminal), until `child` (the restored
// root, or its namespace's init) has ended; then copies what is left on the
// masters and returns, without reaping `child`.
//
// When stdin is a terminal it is put in raw mode for as long (and put back
// as it was, whatever happens), and its window size goes to the first pty
// at the start, if it has one, and on every SIGWINCH. When stdin ends (a
// pipe, a file, /dev/null), the first pty gets an end-of-file character if
// its slave is in canonical mode. SIGTERM, SIGINT, SIGHUP and SIGQUIT sent
// to stasis are passed on to `root`. Throws an Error if the relay cannot be
// set up.
void relay_terminals(std::vector<Pty> ptys, pid_t child, pid_t root);

}  // namespace stasis
