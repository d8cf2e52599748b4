#pragma once
// The chunks of the generation a new one is written after, found by what
// they hold: a chunk whose bytes did not change since is not stored again,
// the new generation borrows the parent's (docs/image-format.md,
// Incremental generations).
#include "image/checkpoint.hpp"
#include "image/chunk.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace stasis::image {

class ParentChunks {
public:
    // Every chunk of parent (memory, kept output, unnamed files), named as
    // a sibling generation of parent_name sees it. Chunks parent borrows
    // itself keep their lender: references never form chains.
    ParentChunks(const Checkpoint& parent, const std::string& parent_name);

    // The parent's chunk of the same place (address or file offset), size
    // and XXH3-64, if any. Both the place and the checksum must agree, so
    // a changed chunk is taken for an unchanged one only if its new bytes
    // have the very checksum of its old ones (odds of 2^-64 per changed chunk).
    [[nodiscard]] const Chunk* find(std::uint64_t vaddr, std::uint64_t size, std::uint64_t xxh3) const;

    [[nodiscard]] const std::string& name() const { return name_; }

private:
    void add(const Chunk& chunk);

    std::string name_;
    std::map<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>, Chunk> chunks_;
};

}  // namespace stasis::image
