#include "dump/tree_memory.hpp"

#include "core/parallel_for.hpp"
#include "image/chunk_index.hpp"
#include "memory/dump_memory.hpp"
#include "process/tree_depths.hpp"

#include <algorithm>
#include <numeric>

namespace stasis {

namespace {

// Each process's writer has settings.workers threads of its own: two
// processes at once keep the cores busy across one's start and end without
// multiplying the memory queued for writing by the size of the tree.
constexpr unsigned processes_at_once = 2;

// The indices of processes, parents before their children, a generation of
// the tree at a time: a child is dumped once its parent's chunks are known.
std::vector<std::vector<std::size_t>> parents_first(const std::vector<ProcessState>& processes)
{
    const auto depth = tree_depths(processes);
    std::vector<std::vector<std::size_t>> levels;
    for (std::size_t i = 0; i < processes.size(); ++i) {
        levels.resize(std::max(levels.size(), depth[i] + 1));
        levels[depth[i]].push_back(i);
    }
    return levels;
}

// What a forked child still shares with its parent is what both hold at the
// same address: the parent's chunks, once the parent is dumped.
image::ChunkIndex chunks_of_parent(const std::vector<ProcessState>& processes, const ProcessState& child)
{
    image::ChunkIndex index;
    for (const auto& process : processes) {
        if (process.pid == child.ppid && !process.relaunch) {
            for (const auto& region : process.regions) {
                for (const auto& chunk : region.chunks) {
                    index.add(chunk);
                }
            }
        }
    }
    return index;
}

}  // namespace

std::uint64_t dump_tree_memory(std::vector<ProcessState>& processes, const std::filesystem::path& staging,
                               const image::WriterSettings& settings, const SharedPages& shared,
                               const std::vector<std::optional<UnchangedChunks>>& unchanged,
                               std::vector<std::string>& data_files)
{
    std::vector<std::vector<std::string>> files(processes.size());
    std::vector<std::uint64_t> unread(processes.size(), 0);
    for (const auto& level : parents_first(processes)) {
        parallel_for(level.size(), processes_at_once, [&](std::size_t k) {
            const std::size_t i = level[k];
            auto& process = processes[i];
            if (process.relaunch) {
                return;
            }
            auto lent = chunks_of_parent(processes, process);
            auto own_settings = settings;
            own_settings.forked_from = lent.empty() ? nullptr : &lent;
            image::ChunkWriter writer(staging, own_settings, "pages-" + std::to_string(process.pid));
            unread[i] =
                dump_memory(process.pid, process.regions, writer, shared, unchanged[i] ? &*unchanged[i] : nullptr);
            files[i] = writer.files();
        });
    }
    for (auto& names : files) {
        data_files.insert(data_files.end(), names.begin(), names.end());
    }
    return std::accumulate(unread.begin(), unread.end(), std::uint64_t{0});
}

}  // namespace stasis
