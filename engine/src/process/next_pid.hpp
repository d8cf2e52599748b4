#pragma once
// The pid the next fork in the restored tree's PID namespace gets
// (/proc/sys/kernel/ns_last_pid): a process restored as a fork of its
// parent (process/forked_children.hpp) gets its saved pid so, since the
// parent, running its own program by then, may not choose one. Only a
// process inside that namespace, privileged over it, may write the file:
// the namespace's init, asked over a socket; as root without a namespace
// of the restore's own, stasis itself.
#include <stasis/unique_fd.hpp>

#include <sys/types.h>

namespace stasis {

class NextPid {
public:
    // init_control: a socket to the namespace's init; without one, the
    // host's namespace, which stasis sets itself.
    explicit NextPid(UniqueFd init_control = {}) : init_(std::move(init_control)) {}

    // The next fork in the namespace gets pid, if pid is free then: in the
    // host's namespace (where a pid is waited for a moment if it is taken)
    // another process's fork may come first, so the caller checks the pid
    // it got.
    void set(pid_t pid);

    // Lets the init go on to its life as pid 1 (it answers no more).
    void done() { init_.reset(); }

private:
    UniqueFd init_;
};

// Whether the next pid can be set here at all: a container may mount
// /proc/sys read-only. Without it, forked children are restored as copies.
bool can_set_next_pid();

// In the namespace's init: sets ns_last_pid for each pid asked for over
// fd, and answers with the errno of doing so (0), until the other end is
// closed. Only async-signal-safe calls.
void serve_next_pid_requests(int fd) noexcept;

}  // namespace stasis
