#include "shared_memory/dump_shared_memory.hpp"

#include "core/kernel_abi.hpp"
#include "core/remote_memory.hpp"

#include <sys/shm.h>
#include <sys/syscall.h>

#include <algorithm>
#include <span>

namespace stasis {

namespace {

// mincore answers for the page cache of a shared object, not for this
// process's page tables: pages only the other processes touched count too.
std::vector<bool> resident_pages(pid_t pid, SyscallInjector& inj, std::uint64_t scratch, const Region& r)
{
    std::vector<bool> resident(r.size() / page_size);
    std::vector<std::uint8_t> vec(page_size);
    for (std::uint64_t first = 0; first < resident.size(); first += page_size) {
        std::uint64_t pages = std::min<std::uint64_t>(page_size, resident.size() - first);
        inj.checked("mincore", SYS_mincore, {r.start + first * page_size, pages * page_size, scratch});
        read_remote(pid, scratch, std::as_writable_bytes(std::span(vec.data(), pages)));
        for (std::uint64_t i = 0; i < pages; ++i) {
            resident[first + i] = (vec[i] & 1) != 0;
        }
    }
    return resident;
}

// What a restore needs to create the segment again; only the process itself
// can ask, from inside its IPC namespace.
SysvSegment read_sysv_segment(pid_t pid, SyscallInjector& inj, std::uint64_t scratch, const Region& r)
{
    auto shmid = static_cast<int>(r.inode);
    inj.checked("shmctl(IPC_STAT)", SYS_shmctl, {static_cast<std::uint64_t>(shmid), IPC_STAT, scratch});
    auto ds = read_remote_value<shmid_ds>(pid, scratch);
    return {shmid, ds.shm_perm.__key, ds.shm_segsz, ds.shm_perm.mode};
}

}  // namespace

SharedResidency read_shared_residency(pid_t pid, SyscallInjector& inj, std::uint64_t scratch,
                                      const std::vector<Region>& regions)
{
    SharedResidency residency;
    for (const auto& r : regions) {
        if (is_shared_object(r.kind) || r.kind == RegionKind::shared_unnamed_file) {
            residency[r.start] = resident_pages(pid, inj, scratch, r);
        }
    }
    return residency;
}

std::vector<SysvSegment> read_sysv_segments(pid_t pid, SyscallInjector& inj, std::uint64_t scratch,
                                            const std::vector<Region>& regions)
{
    std::vector<SysvSegment> segments;
    for (const auto& r : regions) {
        // A segment split into several mappings is read once, at its start.
        if (r.kind == RegionKind::sysv_shm && r.offset == 0) {
            segments.push_back(read_sysv_segment(pid, inj, scratch, r));
        }
    }
    return segments;
}

SharedPages find_shared_pages(const std::vector<ProcessState>& tree, const std::vector<SharedResidency>& residency)
{
    SharedPages shared;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        for (const auto& r : tree[i].regions) {
            if (is_shared_object(r.kind) && shared.find(r.inode) == shared.end()) {
                shared.emplace(r.inode, SharedOwner{tree[i].pid, r.start, r.end, r.offset, residency[i].at(r.start)});
            }
        }
    }
    return shared;
}

}  // namespace stasis
