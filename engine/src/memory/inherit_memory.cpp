#include "memory/inherit_memory.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "image/chunk_index.hpp"
#include "memory/restore_memory.hpp"
#include "process/forked_children.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <map>
#include <set>

namespace stasis {

namespace {

bool holds_private_data(RegionKind kind)
{
    return kind == RegionKind::anon || kind == RegionKind::file || kind == RegionKind::unnamed_file;
}

// Per region of the child: the parent's region it inherited, or nullptr.
std::vector<const Region*> inherited_regions(const ProcessState& parent, const ProcessState& child)
{
    std::map<std::uint64_t, const Region*> by_start;
    for (const auto& r : parent.regions) {
        by_start[r.start] = &r;
    }
    std::vector<const Region*> inherited;
    for (const auto& r : child.regions) {
        auto it = by_start.find(r.start);
        inherited.push_back(it != by_start.end() && inherited_region(*it->second, r) ? it->second : nullptr);
    }
    return inherited;
}

// The ranges of the parent's chunks that none of the child's covers: the
// child had no data there (never touched, or given back).
std::vector<std::pair<std::uint64_t, std::uint64_t>> dropped_ranges(const Region& parent, const Region& child)
{
    std::vector<std::pair<std::uint64_t, std::uint64_t>> dropped;
    auto own = child.chunks.begin();
    for (const auto& pc : parent.chunks) {
        std::uint64_t at = pc.vaddr;
        const std::uint64_t end = pc.vaddr + pc.size;
        while (own != child.chunks.end() && own->vaddr + own->size <= at) {
            ++own;
        }
        for (auto c = own; c != child.chunks.end() && c->vaddr < end; ++c) {
            if (c->vaddr > at) {
                dropped.emplace_back(at, c->vaddr);
            }
            at = std::max(at, c->vaddr + c->size);
        }
        if (at < end) {
            dropped.emplace_back(at, end);
        }
    }
    return dropped;
}

// In an inherited region: which of the child's chunks are not the parent's
// (place, size and checksum), to be written.
void add_own_chunks(const Region& parent, const Region& child, std::vector<const image::Chunk*>& chunks)
{
    image::ChunkIndex shared;
    for (const auto& c : parent.chunks) {
        shared.add(c);
    }
    for (const auto& c : child.chunks) {
        if (shared.find(c.vaddr, c.size, c.xxh3) == nullptr) {
            chunks.push_back(&c);
        }
    }
}

void give_back(RestoreContext& ctx, const Region& region, std::uint64_t start, std::uint64_t end)
{
    if (is_syscall_error(ctx.main().call(SYS_madvise, {start, end - start, MADV_DONTNEED}))) {
        throw Error("cannot drop the parent's pages at " + hex_address(start) + " from " +
                    describe_region(ctx.pid(), region) + " (locked memory?)");
    }
}

}  // namespace

void inherit_address_space(RestoreContext& ctx, const ProcessState& parent, const ProcessState& child,
                           const image::ChunkReader& reader)
{
    auto inherited = inherited_regions(parent, child);
    std::set<const Region*> kept(inherited.begin(), inherited.end());
    for (const auto& r : parent.regions) {
        if (!kept.contains(&r) && !is_kernel_mapping(r.kind)) {
            ctx.main().checked("munmap of a parent's mapping", SYS_munmap, {r.start, r.size()});
        }
    }
    std::vector<const image::Chunk*> chunks;
    std::vector<bool> opened;
    for (std::size_t i = 0; i < child.regions.size(); ++i) {
        const auto& r = child.regions[i];
        // An inherited mapping has the parent's protection until the end.
        opened.push_back(inherited[i] != nullptr || needs_fill(r));
        if (inherited[i] == nullptr) {
            map_region(ctx, r);
            add_chunks_to_fill(r, chunks);
            continue;
        }
        if (!holds_private_data(r.kind)) {
            continue;  // shared: the object's pages are the same for both
        }
        ctx.main().checked("mprotect", SYS_mprotect,
                           {r.start, r.size(), static_cast<std::uint64_t>(r.prot_bits() | PROT_READ | PROT_WRITE)});
        for (const auto& [start, end] : dropped_ranges(*inherited[i], r)) {
            give_back(ctx, r, start, end);
        }
        add_own_chunks(*inherited[i], r, chunks);
        apply_advice(ctx, r);
    }
    complete_address_space(ctx, child, chunks, reader, opened);
}

}  // namespace stasis
