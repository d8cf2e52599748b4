#include "memory/write_tracking.hpp"

#include "core/error.hpp"

#include <spdlog/spdlog.h>

namespace stasis {

const image::Chunk* UnchangedChunks::find(std::uint64_t vaddr, std::uint64_t size) const
{
    if (!tracked(vaddr, size)) {
        return nullptr;
    }
    if (auto it = base_->find({vaddr, size}); it != base_->end() && !written_->overlaps(vaddr, vaddr + size)) {
        return &it->second;
    }
    auto it = pre_copied_->find({vaddr, size});
    return it == pre_copied_->end() ? nullptr : &it->second;
}

void WriteTracking::begin(const std::string& parent)
{
    parent_ = parent;
    for (auto& [pid, p] : processes_) {
        p.captured = false;
        p.captured_chunks.clear();
        p.pre_copied.clear();
    }
}

std::vector<pid_t> WriteTracking::pre_copyable() const
{
    std::vector<pid_t> pids;
    if (parent_.empty() || parent_ != base_) {
        return pids;  // it would read everything, which the freeze compares by checksum anyway
    }
    for (const auto& [pid, p] : processes_) {
        if (p.tracker && p.in_base) {
            pids.push_back(pid);
        }
    }
    return pids;
}

void WriteTracking::scan(Process& p, const std::vector<Region>& regions)
{
    auto found = p.tracker->scan(regions);
    std::erase_if(p.pre_copied, [&found](const auto& entry) {
        return found.written.overlaps(entry.first.first, entry.first.first + entry.first.second);
    });
    p.written.add(found.written);
    p.tracked = std::move(found.tracked);
}

UnchangedChunks WriteTracking::unchanged(const Process& p) const
{
    const bool base_holds = p.in_base && !parent_.empty() && parent_ == base_;
    return UnchangedChunks(base_holds ? p.base_chunks : no_chunks_, p.pre_copied, p.tracked, p.written);
}

std::optional<UnchangedChunks> WriteTracking::rescan(pid_t pid, const std::vector<Region>& regions)
{
    Process* p = scanned(pid, regions);
    return p ? std::optional(unchanged(*p)) : std::nullopt;
}

void WriteTracking::pre_copied(pid_t pid, const std::vector<image::Chunk>& chunks)
{
    auto it = processes_.find(pid);
    if (it == processes_.end()) {
        return;
    }
    for (const auto& chunk : chunks) {
        it->second.pre_copied.insert_or_assign({chunk.vaddr, chunk.size}, chunk);
    }
}

void WriteTracking::adopt(pid_t pid, SyscallInjector& inj)
{
    if (processes_.contains(pid)) {
        return;
    }
    Process& p = processes_[pid];
    try {
        p.tracker.emplace(pid, inj);
    } catch (const Error& e) {
        spdlog::warn("process {}: its writes cannot be tracked ({}); its checkpoints compare chunk checksums", pid,
                     e.what());
    }
}

std::optional<UnchangedChunks> WriteTracking::capture(pid_t pid, const std::vector<Region>& regions)
{
    Process* p = scanned(pid, regions);
    if (!p) {
        return std::nullopt;
    }
    p->captured = true;
    return unchanged(*p);
}

WriteTracking::Process* WriteTracking::scanned(pid_t pid, const std::vector<Region>& regions)
{
    auto it = processes_.find(pid);
    if (it == processes_.end() || !it->second.tracker) {
        return nullptr;
    }
    try {
        scan(it->second, regions);
    } catch (const Error& e) {
        // Some pages may be protected again with their written bit lost:
        // nothing this process tracked can be trusted any more.
        spdlog::warn("{}; its checkpoints compare chunk checksums from now on", e.what());
        it->second = Process{};
        return nullptr;
    }
    return &it->second;
}

void WriteTracking::captured_chunks(pid_t pid, const std::vector<Region>& regions)
{
    auto it = processes_.find(pid);
    if (it == processes_.end() || !it->second.captured) {
        return;
    }
    for (const auto& region : regions) {
        for (const auto& chunk : region.chunks) {
            it->second.captured_chunks.insert_or_assign({chunk.vaddr, chunk.size}, chunk);
        }
    }
}

void WriteTracking::committed(const std::string& generation)
{
    for (auto& [pid, p] : processes_) {
        p.in_base = p.captured;
        p.written = {};
        p.base_chunks.clear();
        if (p.captured) {
            for (auto& [place, chunk] : p.captured_chunks) {
                p.base_chunks.emplace(place, image::as_seen_from_sibling(std::move(chunk), generation));
            }
        }
        p.captured = false;
        p.captured_chunks.clear();
    }
    base_ = generation;
}

void WriteTracking::forget(pid_t pid)
{
    processes_.erase(pid);
}

}  // namespace stasis
