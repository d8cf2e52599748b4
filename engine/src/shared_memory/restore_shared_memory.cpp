#include "shared_memory/restore_shared_memory.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"

#include <fcntl.h>
#include <sys/shm.h>
#include <sys/syscall.h>

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace stasis {

namespace {

void fill_object(int memfd, const Region& region, const image::ChunkReader& reader)
{
    std::vector<std::byte> buffer;
    for (const auto& chunk : region.chunks) {
        buffer.resize(chunk.size);
        reader.read(chunk, buffer);
        auto at = static_cast<off_t>(chunk.vaddr - region.start + region.offset);
        if (::pwrite(memfd, buffer.data(), buffer.size(), at) != static_cast<ssize_t>(buffer.size())) {
            throw sys_error("cannot fill the shared memory restored at " + std::to_string(region.start));
        }
    }
}

}  // namespace

SharedMemory create_shared_memory(const Checkpoint& checkpoint, const image::ChunkReader& reader)
{
    std::map<ObjectId, std::uint64_t> sizes;
    for (const auto& p : checkpoint.processes) {
        for (const auto& r : p.regions) {
            if (r.kind == RegionKind::shared_anon) {
                sizes[r.object()] = std::max(sizes[r.object()], r.offset + r.size());
            }
        }
    }
    SharedMemory objects;
    for (const auto& [object, size] : sizes) {
        UniqueFd memfd(::memfd_create("stasis-shared", MFD_CLOEXEC));
        if (!memfd.valid() || ::ftruncate(memfd.get(), static_cast<off_t>(size)) < 0) {
            throw sys_error("cannot create shared memory of " + std::to_string(size) + " bytes");
        }
        objects.emplace(object, std::move(memfd));
    }
    for (const auto& p : checkpoint.processes) {
        for (const auto& r : p.regions) {
            if (r.kind == RegionKind::shared_anon) {
                fill_object(objects.at(r.object()).get(), r, reader);
            }
        }
    }
    return objects;
}

std::map<ObjectId, int> shared_memory_fds(const ProcessState& process)
{
    int next = 3;
    for (const auto& fd : process.fds) {
        next = std::max(next, fd.fd + 1);
    }
    std::map<ObjectId, int> fds;
    for (const auto& r : process.regions) {
        if (is_handed_object(r.kind) && fds.find(r.object()) == fds.end()) {
            fds.emplace(r.object(), next++);
        }
    }
    return fds;
}

bool create_sysv_segments(const std::vector<SysvSegment>& segments) noexcept
{
    for (const auto& seg : segments) {
        int fd = ::open("/proc/sys/kernel/shm_next_id", O_WRONLY | O_CLOEXEC);
        char text[16];
        int len = std::snprintf(text, sizeof(text), "%d", seg.shmid);
        bool set = fd >= 0 && ::write(fd, text, static_cast<std::size_t>(len)) == len;
        if (fd >= 0) {
            ::close(fd);
        }
        key_t key = (seg.mode & SHM_DEST) != 0 ? IPC_PRIVATE : seg.key;
        int flags = IPC_CREAT | IPC_EXCL | static_cast<int>(seg.mode & 0777);
        if (!set || ::shmget(key, seg.size, flags) != seg.shmid) {
            return false;
        }
    }
    return true;
}

void attach_sysv_segment(RestoreContext& ctx, const Region& r, std::uint64_t prot)
{
    if (r.offset != 0) {
        return;
    }
    std::uint64_t flags = ((prot & PROT_WRITE) != 0 ? 0 : SHM_RDONLY) | ((prot & PROT_EXEC) != 0 ? SHM_EXEC : 0);
    auto at = ctx.main().checked("shmat", SYS_shmat, {r.inode, r.start, flags});
    if (at != r.start) {
        throw Error("SysV segment " + std::to_string(r.inode) + " attached at " + hex_address(at) + ", not at " +
                    hex_address(r.start));
    }
}

}  // namespace stasis
