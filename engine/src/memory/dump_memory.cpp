#include "memory/dump_memory.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/proc.hpp"
#include "core/remote_memory.hpp"
#include "memory/pagemap.hpp"
#include "unnamed_files/unnamed_file_kind.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace stasis {

namespace {

std::string describe(pid_t pid, const proc::MapEntry& e)
{
    return describe_mapping(pid, e.start, e.end, e.path);
}

RegionKind classify(pid_t pid, const proc::MapEntry& e)
{
    if (e.path == "[vdso]") return RegionKind::vdso;
    if (e.path == "[vvar]") return RegionKind::vvar;
    if (e.path == "[vvar_vclock]") return RegionKind::vvar_vclock;
    if (e.path == "[vsyscall]") return RegionKind::vsyscall;
    bool shared = e.prot.size() >= 4 && e.prot[3] == 's';
    bool is_file = !e.path.empty() && e.path[0] == '/';
    // Shared anonymous memory and shared memfd mappings are both shmem
    // objects without a name to reopen (a restored one is a memfd).
    if (shared && (e.path.empty() || e.path == "/dev/zero (deleted)")) {
        return RegionKind::shared_anon;
    }
    if (shared && e.path.rfind("/SYSV", 0) == 0) {
        return RegionKind::sysv_shm;
    }
    if (is_file && is_unnamed_file_link(e.path)) {
        if (auto why = unsupported_unnamed_file(e.path, std::find(e.vmflags.begin(), e.vmflags.end(), "ht") !=
                                                            e.vmflags.end());
            !why.empty()) {
            throw Error(describe(pid, e) + " is " + why + ", which stasis cannot checkpoint yet");
        }
        return shared ? RegionKind::shared_unnamed_file : RegionKind::unnamed_file;
    }
    if (is_file) {
        return shared ? RegionKind::shared_file : RegionKind::file;
    }
    if (shared) {
        throw Error(describe(pid, e) + " is a shared mapping of an unknown kind, which stasis cannot checkpoint");
    }
    return RegionKind::anon;  // heap, stacks, [anon:name]
}

bool region_may_hold_data(RegionKind kind)
{
    return kind == RegionKind::anon || kind == RegionKind::file || kind == RegionKind::unnamed_file;
}

bool page_holds_data(RegionKind kind, std::uint64_t entry)
{
    switch (kind) {
    case RegionKind::anon:
        return (entry & (pm_present | pm_swapped)) != 0;
    case RegionKind::file:
    case RegionKind::unnamed_file:
        // Written pages of a private file mapping are anonymous copies.
        return is_private_copy(entry);
    default:
        return false;
    }
}

// Calls emit(start, length) for each run of pages of a private region that
// hold data only the process has.
template <typename Emit>
void for_each_data_run(int pagemap, const Region& region, Emit emit)
{
    if (scan_data_runs(pagemap, region.start, region.end, region.kind != RegionKind::anon, emit)) {
        return;
    }
    for_each_run(
        pagemap, region.start, region.end,
        [&](std::uint64_t, std::uint64_t entry) { return page_holds_data(region.kind, entry); }, emit);
}

// Restore maps files by path, so the path must still name the very file
// that is mapped; its size and mtime let restore notice a later change.
void record_file_identity(pid_t pid, const proc::MapEntry& e, Region& r)
{
    struct stat st {};
    if (::stat(e.path.c_str(), &st) < 0 || st.st_ino != e.inode) {
        throw Error(describe(pid, e) + ": the file at that path was replaced after it was mapped");
    }
    r.file_size = static_cast<std::uint64_t>(st.st_size);
    r.file_mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

}  // namespace

std::vector<Region> read_regions(pid_t pid)
{
    std::vector<Region> regions;
    for (auto& e : proc::smaps(pid)) {
        Region r;
        r.kind = classify(pid, e);
        if (r.kind == RegionKind::file || r.kind == RegionKind::shared_file) {
            record_file_identity(pid, e, r);
        }
        r.start = e.start;
        r.end = e.end;
        r.prot = e.prot;
        r.path = e.path;
        r.offset = e.offset;
        r.dev = e.dev;
        r.inode = e.inode;
        r.vmflags = std::move(e.vmflags);
        regions.push_back(std::move(r));
    }
    return regions;
}

std::vector<Region> read_regions_again(pid_t pid, std::vector<Region> before)
{
    auto now = proc::maps(pid);
    auto same = [](const Region& r, const proc::MapEntry& e) {
        return r.start == e.start && r.end == e.end && r.prot == e.prot && r.offset == e.offset && r.dev == e.dev &&
               r.inode == e.inode && r.path == e.path;
    };
    if (std::equal(before.begin(), before.end(), now.begin(), now.end(), same)) {
        return before;
    }
    return read_regions(pid);
}

MmState read_mm(pid_t pid, SyscallInjector& inj)
{
    using proc::StatField;
    proc::Stat stat(pid);
    MmState mm;
    mm.start_code = stat.field(StatField::start_code);
    mm.end_code = stat.field(StatField::end_code);
    mm.start_stack = stat.field(StatField::start_stack);
    mm.start_data = stat.field(StatField::start_data);
    mm.end_data = stat.field(StatField::end_data);
    mm.start_brk = stat.field(StatField::start_brk);
    mm.arg_start = stat.field(StatField::arg_start);
    mm.arg_end = stat.field(StatField::arg_end);
    mm.env_start = stat.field(StatField::env_start);
    mm.env_end = stat.field(StatField::env_end);
    mm.brk = inj.checked("brk", SYS_brk, {0});
    auto auxv = proc::read_text("/proc/" + std::to_string(pid) + "/auxv");
    mm.auxv.resize(auxv.size() / sizeof(std::uint64_t));
    std::memcpy(mm.auxv.data(), auxv.data(), mm.auxv.size() * sizeof(std::uint64_t));
    return mm;
}

std::uint64_t save_remote_run(pid_t pid, std::uint64_t start, std::uint64_t len, std::uint64_t shift,
                              image::ChunkWriter& writer, const UnchangedChunks* unchanged, MemoryPass pass)
{
    // Unsigned arithmetic: place - shift is the address again even when
    // the shift wrapped around.
    const std::uint64_t end = start + len + shift;
    std::uint64_t unread = 0;
    for (std::uint64_t place = start + shift, next = 0; place < end; place = next) {
        next = image::chunk_end(place, end);
        if (const image::Chunk* same = unchanged ? unchanged->find(place, next - place) : nullptr) {
            if (pass == MemoryPass::capture) {
                writer.add_unchanged(*same);
                unread += image::is_borrowed(*same) ? same->size : 0;  // else read by a pre-copy
            }
            continue;
        }
        // A pre-copy cannot tell later changes to untracked memory.
        if (pass == MemoryPass::pre_copy && !(unchanged && unchanged->tracked(place, next - place))) {
            continue;
        }
        writer.add_read(place, next - place,
                        [pid, addr = place - shift](std::span<std::byte> out) { read_remote(pid, addr, out); });
    }
    return unread;
}

std::uint64_t dump_memory(pid_t pid, std::vector<Region>& regions, image::ChunkWriter& writer,
                          const SharedPages& shared, const UnchangedChunks* unchanged)
{
    UniqueFd pagemap = open_pagemap(pid);
    std::uint64_t unread = 0;
    auto save = [&](std::uint64_t start, std::uint64_t len) {
        unread += save_remote_run(pid, start, len, 0, writer, unchanged);
    };
    for (const auto& region : regions) {
        if (is_shared_object(region.kind)) {
            // A shared object's pages are saved once, with its first mapping.
            const auto& owner = shared.at(region.inode);
            if (owner.pid == pid && owner.start == region.start) {
                for_each_run(
                    pagemap.get(), region.start, region.end,
                    [&](std::uint64_t addr, std::uint64_t) { return owner.present[(addr - region.start) / page_size]; },
                    save);
            }
        } else if (region_may_hold_data(region.kind)) {
            for_each_data_run(pagemap.get(), region, save);
        }
    }
    auto chunks = writer.finish();
    // Chunks come back sorted by address; hand each region its own.
    auto it = chunks.begin();
    for (auto& region : regions) {
        while (it != chunks.end() && it->vaddr < region.end) {
            region.chunks.push_back(std::move(*it++));
        }
    }
    return unread;
}

std::vector<image::Chunk> pre_copy_memory(pid_t pid, const std::vector<Region>& regions, image::ChunkWriter& writer,
                                          const UnchangedChunks& known)
{
    UniqueFd pagemap = open_pagemap(pid);
    for (const auto& region : regions) {
        if (region.kind == RegionKind::anon) {  // the only kind tracked
            for_each_data_run(pagemap.get(), region, [&](std::uint64_t start, std::uint64_t len) {
                save_remote_run(pid, start, len, 0, writer, &known, MemoryPass::pre_copy);
            });
        }
    }
    return writer.finish();
}

}  // namespace stasis
