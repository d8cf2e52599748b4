#include "process/forked_children.hpp"

#include "image/chunk_index.hpp"
#include "process/tree_depths.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

namespace stasis {

namespace {

// A fork keeps the kernel's mappings where they are: a child whose vDSO
// moved did something a fork does not repeat.
bool same_kernel_mappings(const ProcessState& parent, const ProcessState& child)
{
    auto kernel_mappings = [](const ProcessState& p) {
        std::set<std::tuple<RegionKind, std::uint64_t, std::uint64_t>> found;
        for (const auto& r : p.regions) {
            if (is_kernel_mapping(r.kind)) {
                found.emplace(r.kind, r.start, r.end);
            }
        }
        return found;
    };
    return kernel_mappings(parent) == kernel_mappings(child);
}

bool shares_pages(const ProcessState& parent, const ProcessState& child)
{
    image::ChunkIndex held;
    for (const auto& r : parent.regions) {
        for (const auto& c : r.chunks) {
            held.add(c);
        }
    }
    return std::any_of(child.regions.begin(), child.regions.end(), [&](const Region& r) {
        return std::any_of(r.chunks.begin(), r.chunks.end(),
                           [&](const image::Chunk& c) { return held.find(c.vaddr, c.size, c.xxh3) != nullptr; });
    });
}

bool can_fork(const ProcessState& parent, const ProcessState& child)
{
    auto plain = [](const ProcessState& p) { return !p.zombie && !p.relaunch && p.sysv_segments.empty(); };
    return plain(parent) && plain(child) && child.exe == parent.exe && child.sid == parent.sid &&
           child.pgid == parent.pgid && same_kernel_mappings(parent, child) && shares_pages(parent, child);
}

}  // namespace

std::vector<bool> restored_by_fork(const std::vector<ProcessState>& tree)
{
    std::map<pid_t, std::size_t> index_of;
    for (std::size_t i = 0; i < tree.size(); ++i) {
        index_of[tree[i].pid] = i;
    }
    // Deepest first: a process is forked only if all its children are.
    const auto depth = tree_depths(tree);
    std::vector<std::size_t> order(tree.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return depth[a] > depth[b]; });
    std::vector<bool> forked(tree.size(), false);
    std::vector<bool> all_children_forked(tree.size(), true);
    for (std::size_t i : order) {
        auto parent = index_of.find(tree[i].ppid);
        if (i == 0 || parent == index_of.end()) {
            continue;
        }
        forked[i] = all_children_forked[i] && can_fork(tree[parent->second], tree[i]);
        if (!forked[i]) {
            all_children_forked[parent->second] = false;
        }
    }
    return forked;
}

bool inherited_region(const Region& parent, const Region& child)
{
    return parent.start == child.start && parent.end == child.end && parent.kind == child.kind &&
           parent.path == child.path && parent.offset == child.offset && parent.dev == child.dev &&
           parent.inode == child.inode && !is_kernel_mapping(child.kind) && child.kind != RegionKind::sysv_shm &&
           !parent.has_flag("dc") && !parent.has_flag("wf");
}

}  // namespace stasis
