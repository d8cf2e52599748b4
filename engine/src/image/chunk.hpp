#pragma once
// One stored run of a process's memory: contiguous pages starting at vaddr.
#include <stasis/image.hpp>

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
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

// Where the chunk that holds `at` ends, given the run ends at `end`. Chunks
// are cut at multiples of max_chunk_size of their address (or file offset),
// not at 1 MiB from wherever a run happens to start: the same bytes then
// fall into the same chunk in every generation, and a later generation finds
// the ones that did not change in its parent (image/parent_chunks.hpp).
inline std::uint64_t chunk_end(std::uint64_t at, std::uint64_t end)
{
    return std::min(end, (at / max_chunk_size + 1) * max_chunk_size);
}

// A chunk a generation borrows from an older one is stored in that one's
// data file, named from the borrower as "../gen-NNNNNN/FILE".
bool is_borrowed(const Chunk& c);

// c, a chunk of generation, as a later sibling generation borrowing it
// names it. One generation borrowed itself keeps its lender: references
// never form chains.
Chunk as_seen_from_sibling(Chunk c, const std::string& generation);

// The generation a borrowed chunk is stored in ("gen-000001"); "" for a
// chunk of the generation's own.
std::string lender_of(const Chunk& c);

// Throws ImageError unless file names a data file of the generation itself
// (a plain name) or of a sibling generation ("../gen-NNNNNN/NAME"): a
// manifest must not make a restore read any other file.
void check_data_file_name(const std::string& file);

}  // namespace stasis::image
