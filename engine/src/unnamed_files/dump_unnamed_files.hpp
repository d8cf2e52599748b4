#pragma once
// The dump half of files without a name: each one the tree holds by an fd
// or a mapping (by device and inode) is saved once into the chunk store.
// Through an fd of the tree (/proc/PID/fd/N) every byte is read, holes
// skipped, with the exact size, mode and memfd seals. A file only mapped
// cannot be opened by an ordinary user (/proc/PID/map_files needs
// CAP_CHECKPOINT_RESTORE), so it is read through its mappings: the pages a
// shared mapping shows (on tmpfs, only those resident in the file: mincore),
// and the pages of a private mapping that are still the file's.
#include "image/checkpoint.hpp"
#include "image/chunk_writer.hpp"
#include "shared_memory/dump_shared_memory.hpp"

#include <filesystem>
#include <vector>

namespace stasis {

// While the tree is frozen, once checkpoint.processes holds every living
// process with its final regions and fds (pids as stasis sees them), and
// residency each one's (in the same order): records checkpoint.unnamed_files
// and their data files in checkpoint.data_files.
void save_unnamed_files(const std::vector<SharedResidency>& residency, const std::filesystem::path& staging,
                        const image::WriterSettings& settings, Checkpoint& checkpoint);

}  // namespace stasis
