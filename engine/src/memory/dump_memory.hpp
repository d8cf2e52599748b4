#pragma once
// The memory half of a checkpoint: which regions a process has, and which of
// their pages hold data that only the process has (and so must be saved).
#include "image/chunk_writer.hpp"
#include "core/syscall_injector.hpp"
#include "memory/region.hpp"
#include "memory/write_tracking.hpp"
#include "shared_memory/dump_shared_memory.hpp"

#include <sys/types.h>

#include <vector>

namespace stasis {

// Reads /proc/PID/smaps into regions. Throws an Error naming the process and
// the mapping when it is of a kind stasis cannot restore yet.
std::vector<Region> read_regions(pid_t pid);

// The regions read before, if /proc/PID/maps still shows the same mappings,
// else read_regions(pid): reading smaps again costs a frozen job ~10 ms per
// GiB, for nothing when all it did was let stasis map and unmap a page.
std::vector<Region> read_regions_again(pid_t pid, std::vector<Region> before);

// The mm fields: from /proc/PID/stat, and brk through inj (the process's
// own injector), since stat shows only where the heap starts.
MmState read_mm(pid_t pid, SyscallInjector& inj);

// How save_remote_run treats the chunks write tracking knows of.
enum class MemoryPass {
    capture,   // the job is frozen: a chunk stored already is taken as it is
    pre_copy,  // it runs: only tracked chunks not stored yet are read
};

// Reads [start, start + len) of pid's memory into the writer, each chunk
// placed at its address + shift (0 for memory; for a file's pages, what
// turns an address into the offset in the file). Chunks are cut at 1 MiB
// boundaries of their place (image::chunk_end). A chunk unchanged knows
// is taken from there, unread. Returns the bytes so taken from an older
// generation.
std::uint64_t save_remote_run(pid_t pid, std::uint64_t start, std::uint64_t len, std::uint64_t shift,
                              image::ChunkWriter& writer, const UnchangedChunks* unchanged = nullptr,
                              MemoryPass pass = MemoryPass::capture);

// Streams the data-holding pages of every region into the writer and records
// the resulting chunks in each region. A shared memory object's pages are
// saved once, by the process that owns it (shared). Chunks unchanged knows
// (write tracking) are not read; returns their bytes.
std::uint64_t dump_memory(pid_t pid, std::vector<Region>& regions, image::ChunkWriter& writer,
                          const SharedPages& shared, const UnchangedChunks* unchanged);

// While pid runs: reads the chunks of its tracked memory that are not
// stored yet (known) into the writer, and returns them. Throws an Error.
std::vector<image::Chunk> pre_copy_memory(pid_t pid, const std::vector<Region>& regions, image::ChunkWriter& writer,
                                          const UnchangedChunks& known);

}  // namespace stasis
