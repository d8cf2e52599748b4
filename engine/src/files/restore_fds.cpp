#include "files/restore_fds.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/syscall.h>

namespace stasis {

OpenDescriptions open_descriptions(RestoreSources& sources)
{
    OpenDescriptions open;
    for (const auto& process : sources.checkpoint().processes) {
        for (const auto& saved : process.fds) {
            if (open.find(saved.description) == open.end()) {
                open.emplace(saved.description, fd_kind(saved.kind).open(saved, sources));
            }
        }
    }
    return open;
}

std::vector<FdPlacement> placements_for(const ProcessState& process, const OpenDescriptions& open)
{
    // Shared memory may take fds of its own beside these (spawn plan);
    // install_fds refuses a table that grew too large by them.
    if (process.fds.size() > max_placements) {
        throw Error("process " + std::to_string(process.pid) + " has more open fds than stasis restores (" +
                    std::to_string(max_placements) + ")");
    }
    std::vector<FdPlacement> placements;
    for (const auto& saved : process.fds) {
        placements.push_back({saved.fd, open.at(saved.description).get()});
    }
    return placements;
}

void finish_fds(RestoreContext& ctx, const std::vector<ProcessState>& tree, std::size_t index)
{
    const auto& process = tree[index];
    for (const auto& fd : process.fds) {
        if ((fd.flags & O_CLOEXEC) != 0) {
            ctx.main().checked("fcntl(F_SETFD)", SYS_fcntl, {static_cast<std::uint64_t>(fd.fd), F_SETFD, FD_CLOEXEC});
        }
    }
    for (const auto& fd : process.fds) {
        const auto& kind = fd_kind(fd.kind);
        if (kind.rebuild != nullptr) {
            kind.rebuild(ctx, tree, index, fd);
        }
    }
}

}  // namespace stasis
