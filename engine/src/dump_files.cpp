#include "dump_files.hpp"

#include "anon_inode_fds.hpp"
#include "dump_terminal.hpp"
#include "error.hpp"
#include "proc.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>
#include <sstream>

namespace stasis {

namespace {

struct FdInfo {
    std::int64_t pos = 0;
    int flags = 0;
    std::string text;
};

FdInfo read_fdinfo(pid_t pid, int fd)
{
    FdInfo info;
    info.text = proc::read_text("/proc/" + std::to_string(pid) + "/fdinfo/" + std::to_string(fd));
    std::istringstream in(info.text);
    std::string key;
    while (in >> key) {
        if (key == "pos:") {
            in >> info.pos;
        } else if (key == "flags:") {
            in >> std::oct >> info.flags >> std::dec;
        }
    }
    return info;
}

[[noreturn]] void unsupported(pid_t pid, int fd, const std::string& kind, const std::string& target)
{
    throw Error("process " + std::to_string(pid) + ": fd " + std::to_string(fd) + " is " + kind + " (" + target +
                "), which stasis cannot checkpoint yet");
}

FdState read_fd(pid_t pid, int fd)
{
    std::string link = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
    FdState state;
    state.fd = fd;
    state.path = proc::read_link(link);
    auto info = read_fdinfo(pid, fd);
    state.flags = info.flags;
    state.pos = info.pos;
    struct stat st {};
    if (::stat(link.c_str(), &st) < 0) {
        throw sys_error("cannot inspect fd " + std::to_string(fd) + " of process " + std::to_string(pid));
    }
    // fds 0-2 that lead outside (the scheduler's pipe or socket) are handed
    // over from whoever runs the restore.
    bool stdio = fd <= 2;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        if (state.path.find(" (deleted)") != std::string::npos || state.path.empty() || state.path[0] != '/') {
            unsupported(pid, fd, "a deleted or unnamed file", state.path);
        }
        state.kind = FdKind::file;
    } else if (S_ISCHR(st.st_mode) && terminal_device(st.st_rdev) == TerminalDevice::master) {
        unsupported(pid, fd, "a pty master", state.path);
    } else if (S_ISCHR(st.st_mode) && terminal_device(st.st_rdev) != TerminalDevice::none) {
        state.kind = FdKind::terminal;
        read_terminal(pid, state, st.st_rdev);
    } else if (S_ISCHR(st.st_mode)) {
        state.kind = FdKind::device;
    } else if (S_ISFIFO(st.st_mode)) {
        state.kind = FdKind::pipe;  // inside the tree, or leading out: link_descriptions tells
    } else if (S_ISSOCK(st.st_mode)) {
        if (!stdio) unsupported(pid, fd, "a socket", state.path);
        state.kind = FdKind::inherit;
    } else if (auto kind = anon_inode_kind(state.path)) {
        state.kind = *kind;
        read_anon_inode_state(pid, state, info.text);
    } else {
        unsupported(pid, fd, "a kernel object", state.path);
    }
    return state;
}

bool same_description(pid_t pid_a, int fd_a, pid_t pid_b, int fd_b)
{
    return ::syscall(SYS_kcmp, pid_a, pid_b, KCMP_FILE, fd_a, fd_b) == 0;
}

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

bool holds_pipe(pid_t pid, const std::string& key)
{
    std::string dir = "/proc/" + std::to_string(pid) + "/fd/";
    std::vector<long> fds;
    try {
        fds = proc::numbered_entries(dir);
    } catch (const Error&) {
        return false;  // gone, or another user's: invisible either way
    }
    for (long fd : fds) {
        char target[64];
        ssize_t n = ::readlink((dir + std::to_string(fd)).c_str(), target, sizeof(target));
        if (n == static_cast<ssize_t>(key.size()) && key.compare(0, key.size(), target, n) == 0) {
            return true;
        }
    }
    return false;
}

// Whether any process outside the tree holds this pipe.
bool held_outside(const std::vector<ProcessState>& tree, const std::string& key)
{
    for (long pid : proc::numbered_entries("/proc")) {
        bool in_tree = std::any_of(tree.begin(), tree.end(), [pid](const ProcessState& p) { return p.pid == pid; });
        if (!in_tree && holds_pipe(static_cast<pid_t>(pid), key)) {
            return true;
        }
    }
    return false;
}

// A pipe with both ends in the tree, or with a read end whose writer nobody
// holds any more (a producer that finished: its data is still to be read),
// is restored with its data. One that leads outside (the scheduler's pipe on
// stdout) can only be handed over from whoever runs the restore, on fds 0-2.
void classify_pipes(std::vector<ProcessState>& tree)
{
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            if (fd.kind != FdKind::pipe) {
                continue;
            }
            bool reader = has_end_in_tree(tree, fd.path, O_RDONLY);
            bool writer = has_end_in_tree(tree, fd.path, O_WRONLY);
            bool internal = (reader && writer) || (reader && !held_outside(tree, fd.path));
            if (!internal && fd.fd > 2) {
                unsupported(p.pid, fd.fd, "a pipe to a process outside the checkpointed tree", fd.path);
            }
            if (!internal) {
                fd.kind = FdKind::inherit;
            }
        }
    }
}

}  // namespace

std::vector<FdState> read_fds(pid_t pid)
{
    std::vector<FdState> fds;
    for (long fd : proc::numbered_entries("/proc/" + std::to_string(pid) + "/fd")) {
        fds.push_back(read_fd(pid, static_cast<int>(fd)));
    }
    return fds;
}

void link_descriptions(std::vector<ProcessState>& tree)
{
    classify_pipes(tree);
    struct Seen {
        pid_t pid;
        int fd;
        int description;
    };
    std::vector<Seen> seen;
    for (auto& p : tree) {
        for (auto& fd : p.fds) {
            auto it = std::find_if(seen.begin(), seen.end(), [&](const Seen& s) {
                return same_description(s.pid, s.fd, p.pid, fd.fd);
            });
            fd.description = it != seen.end() ? it->description : static_cast<int>(seen.size());
            seen.push_back({p.pid, fd.fd, fd.description});
        }
    }
    link_terminals(tree);
}

namespace {

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

}  // namespace

std::vector<PipeState> capture_pipes(const std::vector<ProcessState>& tree)
{
    std::vector<PipeState> pipes;
    for (const auto& p : tree) {
        for (const auto& fd : p.fds) {
            bool seen = std::any_of(pipes.begin(), pipes.end(), [&](const PipeState& s) { return s.key == fd.path; });
            if (fd.kind == FdKind::pipe && !seen) {
                pipes.push_back(capture_pipe(p.pid, fd));
            }
        }
    }
    return pipes;
}

}  // namespace stasis
