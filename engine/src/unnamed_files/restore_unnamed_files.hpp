#pragma once
// The restore half of files without a name: each saved one is made again
// once for the whole tree, before any restored process exists, and every
// fd and mapping that had it gets that one file. A deleted file is created
// in its old directory under its old name and unlinked at once (an
// O_TMPFILE one, "#INODE", with O_TMPFILE there, so it can still be linked
// into a directory); where that directory takes no new file (gone, read
// only, not ours) it is made in $TMPDIR (or /tmp), with one warning line.
// A memfd is created with its name, filled, and sealed as it was.
#include "files/fd_state.hpp"
#include "image/checkpoint.hpp"
#include "image/chunk_reader.hpp"
#include "shared_memory/restore_shared_memory.hpp"
#include <stasis/unique_fd.hpp>

#include <map>

namespace stasis {

class RecreatedUnnamedFiles {
public:
    // Throws an Error naming the file when one cannot be made or filled.
    RecreatedUnnamedFiles(const Checkpoint& checkpoint, const image::ChunkReader& reader);

    // A new open file description of saved's file, with saved's flags and
    // offset. Throws ImageError when the image lacks the file.
    [[nodiscard]] UniqueFd reopen(const FdState& saved) const;

    // Once every description is open: gives each file its saved mode and
    // seals and hands it over for the mappings of the tree (by object).
    void hand_over(SharedMemory& shared);

private:
    struct Recreated {
        const UnnamedFile* saved;
        UniqueFd fd;
    };
    std::map<ObjectId, Recreated> files_;
};

}  // namespace stasis
