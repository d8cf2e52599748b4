#include "pipes/dump_pipes.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"
#include <stasis/unique_fd.hpp>
#include "files/file_kinds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

namespace stasis {

namespace {

bool has_end_in_tree(const std::vector<ProcessState>& tree, const std::string& key, int accmode)
{
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            if (fd.kind == FdKind::pipe && fd.path == key && (fd.flags & O_ACCMODE) == accmode) {
                return true;
            }
        }
    }
    return false;
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

PipeState capture_pipe(pid_t pid, const FdState& fd)
{
    std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd.fd);
    auto fail = [&](const std::string& what) {
        return sys_error("cannot read the pipe at fd " + std::to_string(fd.fd) + " of process " + std::to_string(pid) +
                         " (" + what + ")");
    };
    UniqueFd source(::open(link.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!source.valid()) {
        throw fail("open");
    }
    PipeState pipe;
    pipe.key = fd.path;
    pipe.capacity = ::fcntl(source.get(), F_GETPIPE_SZ);
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
    bool reader = has_end_in_tree(tree, key, O_RDONLY);
    bool writer = has_end_in_tree(tree, key, O_WRONLY);
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
                pipes.push_back(capture_pipe(p.pid, fd));
                pipes.back().outside = leads_outside(tree, fd.path);
            }
        }
    }
}

}  // namespace stasis
