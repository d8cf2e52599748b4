#pragma once
// Files that no longer have a name, as the image keeps them: deleted files
// still open or mapped (O_TMPFILE ones and deleted /dev/shm segments too)
// and memfds. Each is saved once, however many fds and mappings of the tree
// share it, with its bytes in the chunk store; fds name it by UnnamedFileRef,
// mappings (RegionKind::unnamed_file, shared_unnamed_file) by their device
// and inode. docs/image-format.md, "Unnamed files".
#include "image/chunk.hpp"
#include "memory/region.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

// The detail of an fd of kind unnamed_file: which UnnamedFile it opens.
struct UnnamedFileRef {
    std::uint64_t dev = 0;
    std::uint64_t inode = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UnnamedFileRef, dev, inode)

struct UnnamedFile {
    std::uint64_t dev = 0;  // identity at checkpoint time
    std::uint64_t inode = 0;
    std::string path;  // as /proc showed it, without " (deleted)": "/tmp/d/f", "/tmp/d/#1234", "/memfd:NAME"
    bool memfd = false;
    std::uint32_t mode = 0600;  // permission bits
    std::uint32_t seals = 0;    // a memfd's F_GET_SEALS
    std::uint64_t size = 0;
    // true: read through an fd, every byte and the exact size, mode and
    // seals; false: only mapped, so only what the tree's mappings showed,
    // and size is where the last mapping ended.
    bool whole = true;
    std::vector<image::Chunk> chunks;  // vaddr: the offset in the file

    [[nodiscard]] ObjectId object() const { return {dev, inode}; }
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UnnamedFile, dev, inode, path, memfd, mode, seals, size, whole, chunks)

}  // namespace stasis
