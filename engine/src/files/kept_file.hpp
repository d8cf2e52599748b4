#pragma once
// One of the job's output files kept in the image (`--keep-output`,
// files/kept_output.hpp): its path, its size at checkpoint time and its
// content as chunks, whose vaddr is the offset in the file.
#include "image/chunk.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct KeptFile {
    std::string path;
    std::uint64_t size = 0;
    std::vector<image::Chunk> chunks;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(KeptFile, path, size, chunks)

}  // namespace stasis
