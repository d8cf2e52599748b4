#pragma once
// The job's output files, kept in the image (`--keep-output`). A scheduler
// opens a requeued job's stdout/stderr file anew and empties it; the restored
// job then writes on at its saved offset, after a hole of zero bytes. So the
// image keeps what such a file held at checkpoint time, and a restore puts it
// back before the job reopens the file: the file reads as one continuous run,
// and whatever the killed run printed after its checkpoint is gone.
// Checkpoint::kept_output (docs/image-format.md, "Kept output").
#include "image/checkpoint.hpp"
#include "image/chunk_reader.hpp"
#include "image/chunk_writer.hpp"

#include <filesystem>

namespace stasis {

// Dump half, while the tree is frozen: saves fds 1 and 2 of the root process
// (pid as stasis sees it) that are regular files open for writing (a file
// behind both is saved once) into data files of the generation in staging,
// and records them in checkpoint.kept_output and checkpoint.data_files.
void keep_output(pid_t pid, const ProcessState& root, const std::filesystem::path& staging,
                 const image::WriterSettings& settings, Checkpoint& checkpoint);

// Restore half, before any fd of the tree is reopened: writes each kept file
// back (created 0600 if missing) and cuts it to its saved size. Throws Error
// naming the file when it is no regular file or cannot be written.
void put_back_output(const Checkpoint& checkpoint, const image::ChunkReader& reader);

}  // namespace stasis
