#pragma once
// The terminals a checkpointed tree holds: which terminal each terminal fd
// is (the same id for every fd of the tree on one terminal), its termios and
// window size, and whose controlling terminal it is, with that session's
// foreground process group. Restored by restore_terminal.hpp.
#include "process/process_state.hpp"

#include <sys/types.h>

#include <string>

#include <vector>

namespace stasis {

enum class TerminalDevice {
    none,         // not a terminal
    terminal,     // a pty slave, a virtual console or serial line, /dev/console
    controlling,  // /dev/tty: whatever the process's controlling terminal is
    master,       // a pty master: /dev/ptmx (pty_pairs/)
    bsd_master,   // a BSD pty master (/dev/ptyXY): not restorable
};

// What a character device is, by its device number.
TerminalDevice terminal_device(dev_t rdev);

// Fills fd.detail (a TerminalState without id, session and foreground) for
// fd.fd of pid, a terminal or /dev/tty (rdev: the fd's device number). The
// settings are read through the fd's /proc link (/dev/tty: the process's
// controlling terminal's device node), opened read-only without becoming
// anyone's controlling terminal. Throws an Error naming the process and fd.
void read_terminal(pid_t pid, FdState& fd, dev_t rdev);

// Reads the termios and window size of terminal `tty` (on a pty master:
// of its slave) into t. Throws an Error naming `what`.
void read_terminal_settings(int tty, TerminalState& t, const std::string& what);

// Numbers the tree's terminals (first seen, first numbered; a pty master
// in the tree gets the number of its slave, terminal_of) and records for
// each whether it is the controlling terminal of a session of the tree
// (/proc/PID/stat tty_nr) and that session's foreground group (tpgid), as
// the processes see them themselves (innermost pid namespace). Runs while
// the tree is frozen, after read_terminal for each terminal fd.
void link_terminals(std::vector<ProcessState>& tree);

}  // namespace stasis
