#include "pipes/dump_pipes.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include "core/remote_fd.hpp"
#include <stasis/unique_fd.hpp>
#include "files/file_kinds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

namespace stasis {

namespace {

struct PipeEnd {
    pid_t pid;
    int fd;
};

std::optional<PipeEnd> end_in_tree(const std::vector<ProcessState>& tree, const std::string& key, int accmode)
{
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            if (fd.kind == FdKind::pipe && fd.path == key && (fd.flags & O_ACCMODE) == accmode) {
                return PipeEnd{p.pid, fd.fd};
            }
        }
    }
    return std::nullopt;
}

// Whether any process outside the tree holds this pipe.
bool held_outside(const std::vector<ProcessState>& tree, const std::string& key)
{
    std::vector<pid_t> pids;
    for (const auto& p : tree) {
        pids.push_back(p.pid);
    }
    return proc::find_fd_holder(key, pids) != 0;
}

// The pipe's size, and its unread bytes when the tree holds a read end: a
// copy of that end (not a reopening through /proc, which needs the pipe's
// owner's permission and would add a reader) is peeked with tee. With only
// write ends in the tree, what waits in the pipe is an outside reader's.
PipeState capture_pipe(const std::vector<ProcessState>& tree, pid_t pid, const FdState& fd)
{
    auto reader = end_in_tree(tree, fd.path, O_RDONLY);
    const PipeEnd end = reader.value_or(PipeEnd{pid, fd.fd});
    auto fail = [&](const std::string& what) {
        return sys_error("cannot read the pipe at fd " + std::to_string(end.fd) + " of process " +
                         std::to_string(end.pid) + " (" + what + ")");
    };
    auto source = copy_remote_fd(end.pid, end.fd);
    PipeState pipe;
    pipe.key = fd.path;
    pipe.capacity = ::fcntl(source.get(), F_GETPIPE_SZ);
    if (pipe.capacity < 0) {
        throw fail("pipe size");
    }
    if (!reader) {
        return pipe;
    }
    int ends[2];
    if (::pipe2(ends, O_NONBLOCK | O_CLOEXEC) < 0) {
        throw fail("pipe");
    }
    UniqueFd copy_out(ends[0]), copy_in(ends[1]);
    if (::fcntl(copy_in.get(), F_SETPIPE_SZ, pipe.capacity) < pipe.capacity) {
        throw fail("pipe size");
    }
    ssize_t n = ::tee(source.get(), copy_in.get(), static_cast<std::size_t>(pipe.capacity), SPLICE_F_NONBLOCK);
    if (n < 0 && errno != EAGAIN) {
        throw fail("tee");
    }
    pipe.data.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    if (!pipe.data.empty() &&
        ::read(copy_out.get(), pipe.data.data(), pipe.data.size()) != static_cast<ssize_t>(pipe.data.size())) {
        throw fail("read");
    }
    return pipe;
}

// Whether the tree holds one end of the pipe and the other is held outside
// it, or, for a write end, by nobody (a restore closes that other end). A
// read end whose writer nobody holds any more is a finished producer's:
// that is inside the tree.
bool leads_outside(const std::vector<ProcessState>& tree, const std::string& key)
{
    bool reader = end_in_tree(tree, key, O_RDONLY).has_value();
    bool writer = end_in_tree(tree, key, O_WRONLY).has_value();
    if (reader && writer) {
        return false;
    }
    return writer || held_outside(tree, key);
}

}  // namespace

// A pipe with both ends in the tree, or with a read end whose writer nobody
// holds any more (a producer that finished: its data is still to be read),
// is restored with its data. One on fds 0-2 that leads outside (the
// scheduler's pipe on stdout) is handed over from whoever runs the restore.
// One on a higher fd that leads outside (a make jobserver, a wrapper's pipe)
// is restored as a pipe whose outside end is closed: its reader sees the
// saved bytes, then end-of-file; its writer gets EPIPE, as when the outside
// holder exits.
void classify_pipes(std::vector<ProcessState>& tree)
{
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            if (fd.kind != FdKind::pipe || fd.fd > last_stdio_fd) {
                continue;
            }
            if (leads_outside(tree, fd.path)) {
                fd.kind = FdKind::inherit;
            }
        }
    }
}

void capture_pipes(const std::vector<ProcessState>& tree, Checkpoint& checkpoint)
{
    auto& pipes = checkpoint.pipes;
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            bool seen = std::any_of(pipes.begin(), pipes.end(), [&](const PipeState& s) { return s.key == fd.path; });
            if (fd.kind == FdKind::pipe && !seen) {
                pipes.push_back(capture_pipe(tree, p.pid, fd));
                pipes.back().outside = leads_outside(tree, fd.path);
            }
        }
    }
}

}  // namespace stasis
