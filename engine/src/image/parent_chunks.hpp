#pragma once
// The chunks of the generation a new one is written after: a chunk whose
// bytes did not change since is not stored again, the new generation
// borrows the parent's (docs/image-format.md, Incremental generations).
#include "image/checkpoint.hpp"
#include "image/chunk_index.hpp"

#include <string>

namespace stasis::image {

class ParentChunks : public ChunkIndex {
public:
    // Every chunk of parent (memory, kept output, unnamed files), named as
    // a sibling generation of parent_name sees it. Chunks parent borrows
    // itself keep their lender: references never form chains.
    ParentChunks(const Checkpoint& parent, const std::string& parent_name);

    [[nodiscard]] const std::string& name() const { return name_; }

private:
    std::string name_;
};

}  // namespace stasis::image
