#include "dump/tree_memory.hpp"

#include "core/parallel_for.hpp"
#include "memory/dump_memory.hpp"

#include <numeric>

namespace stasis {

namespace {

// Each process's writer has settings.workers threads of its own: two
// processes at once keep the cores busy across one's start and end without
// multiplying the memory queued for writing by the size of the tree.
constexpr unsigned processes_at_once = 2;

}  // namespace

std::uint64_t dump_tree_memory(std::vector<ProcessState>& processes, const std::filesystem::path& staging,
                               const image::WriterSettings& settings, const SharedPages& shared,
                               const std::vector<std::optional<UnchangedChunks>>& unchanged,
                               std::vector<std::string>& data_files)
{
    std::vector<std::vector<std::string>> files(processes.size());
    std::vector<std::uint64_t> unread(processes.size(), 0);
    parallel_for(processes.size(), processes_at_once, [&](std::size_t i) {
        auto& process = processes[i];
        if (process.relaunch) {
            return;
        }
        image::ChunkWriter writer(staging, settings, "pages-" + std::to_string(process.pid));
        unread[i] = dump_memory(process.pid, process.regions, writer, shared, unchanged[i] ? &*unchanged[i] : nullptr);
        files[i] = writer.files();
    });
    for (auto& names : files) {
        data_files.insert(data_files.end(), names.begin(), names.end());
    }
    return std::accumulate(unread.begin(), unread.end(), std::uint64_t{0});
}

}  // namespace stasis
