#pragma once
// The terminals of a restored tree: one new pty per terminal the tree held,
// its slave given the saved termios and window size. Every saved fd on that
// terminal gets a description of the slave, and the session that had it as
// its controlling terminal gets it again (TIOCSCTTY in its leader, between
// fork and exec), with its saved foreground process group. `stasis restore`
// then relays between the masters and its own stdin/stdout
// (terminal_relay.hpp).
#include "process/process_state.hpp"
#include <stasis/unique_fd.hpp>

#include <sys/types.h>

#include <vector>

namespace stasis {

// One restored terminal.
struct Pty {
    TerminalState saved;
    UniqueFd master;
    UniqueFd slave;  // stasis's own, read-write: the controlling terminal is taken through it
    bool inside = false;  // its master is the tree's (pty_pairs/): not relayed
    bool locked = false;  // ... and locked (TIOCSPTLCK)
};

class RestoredTerminals {
public:
    // One pty per terminal of the tree whose master the tree held (a pair
    // inside the tree: with what was queued in it, its master's modes), and,
    // when `relayed`, one per other terminal, the one on the root's lowest
    // terminal fd first. Not relayed (--detach, an agent's restore), fds on
    // those other terminals get the restorer's own fds 0-2 instead, and no
    // controlling terminal. Throws an Error when a pty cannot be made.
    RestoredTerminals(const std::vector<ProcessState>& tree, bool relayed);

    [[nodiscard]] bool empty() const { return ptys_.empty(); }

    // A new open file description of the slave of saved's terminal, with
    // saved's access mode and status flags.
    [[nodiscard]] UniqueFd open_slave(const FdState& saved) const;

    // A new open file description of the master (kind pty_master) of a pty
    // whose master the tree held, with saved's status flags.
    [[nodiscard]] UniqueFd open_master(const FdState& saved) const;

    // stasis's read-write fd of terminal id's slave; -1 if it has no pty.
    [[nodiscard]] int slave(int id) const;

    // Hands over the ptys to relay, the first one first, and closes stasis's
    // ends of the pairs inside the tree.
    std::vector<Pty> release();

private:
    [[nodiscard]] const Pty* find(int id) const;
    [[nodiscard]] const Pty& pty_for(const FdState& saved) const;  // throws ImageError

    std::vector<Pty> ptys_;
};

// The tree's terminals, one per id, from its fds (kind `terminal`, and the
// slaves of `pty_master`).
std::vector<TerminalState> saved_terminals(const std::vector<ProcessState>& tree);

// What one restored process does about a controlling terminal between fork
// and exec.
struct TerminalSession {
    bool new_session = false;     // setsid() itself: the session's saved leader is not restored as one
    int slave = -1;               // TIOCSCTTY on this fd (a RestoredTerminals slave); -1: none
    pid_t foreground = 0;         // then tcsetpgrp to this group, once the whole tree exists; 0: none
    bool foreground_own = false;  // ... to its own group instead (its pid may be a new one)
};

// One entry per process of the tree. A session whose leader is in the tree
// is taken by that leader; one whose leader lies outside by the root, when
// the root is a member, in a session of its own.
std::vector<TerminalSession> terminal_sessions(const std::vector<ProcessState>& tree,
                                               const RestoredTerminals& terminals);

// Between fork and exec (async-signal-safe), in this order around joining
// the saved session and group: setsid() when the process starts the session
// itself (before, since a group leader cannot); TIOCSCTTY (after; false if
// the kernel refused); tcsetpgrp once every process has joined its group.
void start_terminal_session(const TerminalSession& session) noexcept;
bool take_controlling_terminal(const TerminalSession& session) noexcept;
void hand_foreground(const TerminalSession& session) noexcept;

}  // namespace stasis
