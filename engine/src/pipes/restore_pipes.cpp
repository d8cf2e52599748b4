#include "pipes/restore_pipes.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace stasis {

namespace {

constexpr int description_flags = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

void write_all_nonblocking(int fd, const std::vector<std::uint8_t>& data, const std::string& key)
{
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (!data.empty() && ::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
        throw sys_error("cannot put back the unread data of " + key);
    }
    ::fcntl(fd, F_SETFL, flags);
}

}  // namespace

RecreatedPipes::RecreatedPipes(const Checkpoint& checkpoint)
{
    for (const auto& saved : checkpoint.pipes) {
        pipes_.emplace(saved.key, recreate(saved));
    }
}

RecreatedPipes::Pipe RecreatedPipes::recreate(const PipeState& saved)
{
    Pipe pipe;
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
    pipe.outside = saved.outside;
    return pipe;
}

UniqueFd RecreatedPipes::end_for(const FdState& saved)
{
    auto it = pipes_.find(saved.path);
    if (it == pipes_.end()) {
        throw ImageError("the image lacks the pipe " + saved.path + " of fd " + std::to_string(saved.fd));
    }
    auto& pipe = it->second;
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
    if (pipe.outside) {
        spdlog::warn("fd {} ({}) led to a process outside the checkpointed tree; it comes back with its other "
                     "end closed{}",
                     saved.fd, saved.path, reader ? ": the saved bytes, then end-of-file" : ": writing fails (EPIPE)");
    }
    return fd;
}

}  // namespace stasis
