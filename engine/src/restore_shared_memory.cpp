#include "restore_shared_memory.hpp"

#include "error.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
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
    std::map<std::uint64_t, std::uint64_t> sizes;
    for (const auto& p : checkpoint.processes) {
        for (const auto& r : p.regions) {
            if (r.kind == RegionKind::shared_anon) {
                sizes[r.inode] = std::max(sizes[r.inode], r.offset + r.size());
            }
        }
    }
    SharedMemory objects;
    for (const auto& [inode, size] : sizes) {
        UniqueFd memfd(::memfd_create("stasis-shared", MFD_CLOEXEC));
        if (!memfd.valid() || ::ftruncate(memfd.get(), static_cast<off_t>(size)) < 0) {
            throw sys_error("cannot create shared memory of " + std::to_string(size) + " bytes");
        }
        objects.emplace(inode, std::move(memfd));
    }
    for (const auto& p : checkpoint.processes) {
        for (const auto& r : p.regions) {
            if (r.kind == RegionKind::shared_anon) {
                fill_object(objects.at(r.inode).get(), r, reader);
            }
        }
    }
    return objects;
}

std::map<std::uint64_t, int> shared_memory_fds(const ProcessState& process)
{
    int next = 3;
    for (const auto& fd : process.fds) {
        next = std::max(next, fd.fd + 1);
    }
    std::map<std::uint64_t, int> fds;
    for (const auto& r : process.regions) {
        if (r.kind == RegionKind::shared_anon && fds.find(r.inode) == fds.end()) {
            fds.emplace(r.inode, next++);
        }
    }
    return fds;
}

}  // namespace stasis
