#pragma once
// `stasis dump`: checkpoint a process into a committed image directory.
#include "image/chunk.hpp"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>

namespace stasis {

struct DumpOptions {
    pid_t pid = 0;
    std::filesystem::path dir;
    bool leave_running = false;
    // Save the root's stdout/stderr files in the image (kept_output.hpp).
    bool keep_output = false;
    image::Codec codec = image::Codec::zstd;
    int level = 1;
    unsigned workers = 2;
};

struct DumpResult {
    std::uint64_t memory_bytes = 0;  // page data dumped
    std::uint64_t stored_bytes = 0;  // page data on disk
    double frozen_seconds = 0;       // time the process was held
};

// On failure nothing that looks like a committed image is left and the
// process runs on.
DumpResult dump(const DumpOptions& options);

}  // namespace stasis
