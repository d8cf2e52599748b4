#pragma once
// The memory of every process of a frozen tree, several processes at once:
// while one process's writer starts its files or drains its last chunks,
// another's pages are read, so a tree of many small processes dumps at the
// speed of one process of their size.
#include "image/chunk_writer.hpp"
#include "memory/write_tracking.hpp"
#include "process/process_state.hpp"
#include "shared_memory/dump_shared_memory.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace stasis {

// Dumps the memory of every process not started anew (relaunch) into data
// files of its own (pages-PID-N.bin), so that one process's chunks are never
// mixed with another's, parents before children: a chunk a forked child
// holds as its parent does at the same address is its parent's, stored
// once. unchanged[i] is what write tracking knows of process i's. Appends the data files to data_files, in process order. Returns the
// bytes write tracking knew unchanged, not read. Throws the Error of the
// first process that failed.
std::uint64_t dump_tree_memory(std::vector<ProcessState>& processes, const std::filesystem::path& staging,
                               const image::WriterSettings& settings, const SharedPages& shared,
                               const std::vector<std::optional<UnchangedChunks>>& unchanged,
                               std::vector<std::string>& data_files);

}  // namespace stasis
