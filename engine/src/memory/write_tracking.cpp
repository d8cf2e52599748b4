#include "memory/write_tracking.hpp"

#include "core/error.hpp"

#include <spdlog/spdlog.h>

namespace stasis {

const image::Chunk* UnchangedChunks::find(std::uint64_t vaddr, std::uint64_t size) const
{
    auto it = base_->find({vaddr, size});
    if (it == base_->end()) {
        return nullptr;
    }
    const std::uint64_t end = vaddr + size;
    if (!tracked_->covers(vaddr, end) || written_->overlaps(vaddr, end)) {
        return nullptr;
    }
    return &it->second;
}

void WriteTracking::begin(const std::string& parent)
{
    parent_ = parent;
    for (auto& [pid, p] : processes_) {
        p.captured = false;
        p.captured_chunks.clear();
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
    auto it = processes_.find(pid);
    if (it == processes_.end() || !it->second.tracker) {
        return std::nullopt;
    }
    Process& p = it->second;
    try {
        auto scan = p.tracker->scan(regions);
        p.written.add(scan.written);
        p.tracked = std::move(scan.tracked);
    } catch (const Error& e) {
        // Some pages may be protected again with their written bit lost:
        // nothing this process tracked can be trusted any more.
        spdlog::warn("{}; its checkpoints compare chunk checksums from now on", e.what());
        p = Process{};
        return std::nullopt;
    }
    p.captured = true;
    if (!p.in_base || parent_.empty() || parent_ != base_) {
        return std::nullopt;
    }
    return UnchangedChunks(p.base_chunks, p.tracked, p.written);
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
