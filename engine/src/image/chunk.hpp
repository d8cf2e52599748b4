#pragma once
// One stored run of a process's memory: contiguous pages starting at vaddr.
#include <stasis/image.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace stasis::image {

// The format caps a chunk at 1 MiB uncompressed; callers split longer runs.
inline constexpr std::size_t max_chunk_size = std::size_t{1} << 20;

struct Chunk {
    std::uint64_t vaddr = 0;        // first byte of the run in the process
    std::uint64_t size = 0;         // uncompressed bytes (a multiple of the page size)
    std::string file;               // data file, relative to the generation directory
    std::uint64_t offset = 0;       // where the stored bytes start in that file
    std::uint64_t stored_size = 0;  // bytes in the file (compressed or not)
    Codec codec = Codec::none;
    std::uint64_t xxh3 = 0;         // XXH3-64 of the uncompressed bytes
};

void to_json(nlohmann::json& j, const Chunk& c);
void from_json(const nlohmann::json& j, Chunk& c);


}  // namespace stasis::image
