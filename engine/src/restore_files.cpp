#include "restore_files.hpp"

#include "anon_inode_fds.hpp"

#include "error.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <string>

namespace stasis {

namespace {

constexpr int max_placements = 4096;
constexpr int last_stdio_fd = 2;

// The restorer's own fd (one of 0-2), or /dev/null if it has none there.
UniqueFd inherited(int fd)
{
    UniqueFd own(fd >= 0 && fd <= last_stdio_fd ? ::fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1);
    if (!own.valid()) {
        own.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    }
    return own;
}

// Terminal id -> the lowest of fds 0-2 at which the tree held it: the
// restorer's fd handed over for that terminal when there are no ptys.
std::map<int, int> terminal_stdio(const Checkpoint& checkpoint)
{
    std::map<int, int> stdio;
    for (const auto& process : checkpoint.processes) {
        for (const auto& fd : process.fds) {
            if (fd.kind == FdKind::terminal && fd.fd <= last_stdio_fd) {
                auto [it, added] = stdio.emplace(fd.detail.at("terminal").get<int>(), fd.fd);
                it->second = std::min(it->second, fd.fd);
            }
        }
    }
    return stdio;
}

UniqueFd reopen(const FdState& saved)
{
    if (saved.kind == FdKind::inherit) {
        return inherited(saved.fd);
    }
    int flags = (saved.flags & ~(O_CREAT | O_TRUNC | O_EXCL | O_NOCTTY)) | O_CLOEXEC | O_NOCTTY;
    UniqueFd fd(::open(saved.path.c_str(), flags));
    if (!fd.valid()) {
        throw sys_error("cannot reopen fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    if (saved.kind == FdKind::file && (saved.flags & O_APPEND) == 0 &&
        ::lseek(fd.get(), saved.pos, SEEK_SET) != saved.pos) {
        throw sys_error("cannot seek fd " + std::to_string(saved.fd) + " (" + saved.path + ") to " +
                        std::to_string(saved.pos));
    }
    return fd;
}

// The two ends of one recreated pipe. The first description of each end is
// the end itself; any further one is a fresh open of it (/proc/self/fd).
struct RecreatedPipe {
    UniqueFd read_end, write_end;
    bool read_used = false, write_used = false;
};

void write_all_nonblocking(int fd, const std::vector<std::uint8_t>& data, const std::string& key)
{
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (!data.empty() && ::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
        throw sys_error("cannot put back the unread data of " + key);
    }
    ::fcntl(fd, F_SETFL, flags);
}

RecreatedPipe recreate_pipe(const PipeState& saved)
{
    RecreatedPipe pipe;
    if (saved.key.rfind("pipe:[", 0) == 0) {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) < 0) {
            throw sys_error("cannot recreate " + saved.key);
        }
        pipe.read_end.reset(ends[0]);
        pipe.write_end.reset(ends[1]);
    } else {
        // A named FIFO: opening it read-write first never blocks and keeps
        // it open while its two ends are opened.
        UniqueFd both(::open(saved.key.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
        pipe.read_end.reset(::open(saved.key.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        pipe.write_end.reset(::open(saved.key.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
        if (!both.valid() || !pipe.read_end.valid() || !pipe.write_end.valid()) {
            throw sys_error("cannot reopen the FIFO " + saved.key);
        }
    }
    if (saved.capacity > 0) {
        ::fcntl(pipe.write_end.get(), F_SETPIPE_SZ, saved.capacity);
    }
    write_all_nonblocking(pipe.write_end.get(), saved.data, saved.key);
    return pipe;
}

constexpr int description_flags = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

UniqueFd pipe_end(const FdState& saved, RecreatedPipe& pipe)
{
    bool reader = (saved.flags & O_ACCMODE) == O_RDONLY;
    UniqueFd& end = reader ? pipe.read_end : pipe.write_end;
    bool& used = reader ? pipe.read_used : pipe.write_used;
    UniqueFd fd(used ? ::open(("/proc/self/fd/" + std::to_string(end.get())).c_str(),
                              (saved.flags & O_ACCMODE) | O_NONBLOCK | O_CLOEXEC)
                     : ::fcntl(end.get(), F_DUPFD_CLOEXEC, 0));
    if (!fd.valid()) {
        throw sys_error("cannot recreate fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    used = true;
    ::fcntl(fd.get(), F_SETFL, saved.flags & description_flags);
    return fd;
}

UniqueFd open_terminal(const FdState& saved, const RestoredTerminals& terminals, const std::map<int, int>& stdio)
{
    if (!terminals.empty()) {
        return terminals.open_slave(saved);
    }
    if (saved.fd <= last_stdio_fd) {
        return inherited(saved.fd);
    }
    auto it = stdio.find(saved.detail.at("terminal").get<int>());
    return inherited(it != stdio.end() ? it->second : -1);
}

UniqueFd open_description(const FdState& saved, std::map<std::string, RecreatedPipe>::iterator pipe,
                          std::map<std::string, RecreatedPipe>& pipes)
{
    switch (saved.kind) {
    case FdKind::pipe:
        if (pipe == pipes.end()) {
            throw ImageError("the image lacks the pipe " + saved.path + " of fd " + std::to_string(saved.fd));
        }
        return pipe_end(saved, pipe->second);
    case FdKind::eventfd:
    case FdKind::signalfd:
    case FdKind::timerfd:
    case FdKind::epoll:
        return create_anon_inode_object(saved);
    default:
        return reopen(saved);
    }
}

}  // namespace

OpenDescriptions open_descriptions(const Checkpoint& checkpoint, const RestoredTerminals& terminals)
{
    auto stdio = terminal_stdio(checkpoint);
    std::map<std::string, RecreatedPipe> pipes;
    for (const auto& saved : checkpoint.pipes) {
        pipes.emplace(saved.key, recreate_pipe(saved));
    }
    OpenDescriptions open;
    for (const auto& process : checkpoint.processes) {
        for (const auto& saved : process.fds) {
            if (open.find(saved.description) != open.end()) {
                continue;
            }
            if (saved.kind == FdKind::terminal) {
                open.emplace(saved.description, open_terminal(saved, terminals, stdio));
                continue;
            }
            auto pipe = pipes.find(saved.path);
            open.emplace(saved.description, open_description(saved, pipe, pipes));
        }
    }
    return open;
}

std::vector<FdPlacement> placements_for(const ProcessState& process, const OpenDescriptions& open)
{
    if (process.fds.size() > max_placements) {
        throw Error("process " + std::to_string(process.pid) + " has more open fds than stasis restores");
    }
    std::vector<FdPlacement> placements;
    for (const auto& saved : process.fds) {
        placements.push_back({saved.fd, open.at(saved.description).get()});
    }
    return placements;
}

bool install_fds(const std::vector<FdPlacement>& placements) noexcept
{
    // Park every source above all target numbers first, so that placing one
    // never overwrites another that is still to be placed.
    int above = 0;
    for (const auto& p : placements) {
        above = p.target >= above ? p.target + 1 : above;
    }
    int parked[max_placements];
    std::size_t n = 0;
    for (const auto& p : placements) {
        parked[n] = ::fcntl(p.source, F_DUPFD, above);
        if (parked[n++] < 0) {
            return false;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (::dup2(parked[i], placements[i].target) < 0) {
            return false;
        }
    }
    // Close everything that is not a target: stasis's own fds and the parked copies.
    for (int fd = 0; fd < above; ++fd) {
        bool is_target = false;
        for (const auto& p : placements) {
            is_target = is_target || p.target == fd;
        }
        if (!is_target) {
            ::close(fd);
        }
    }
    return ::syscall(SYS_close_range, above, ~0U, 0) == 0;
}

}  // namespace stasis
