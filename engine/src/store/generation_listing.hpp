#pragma once
// What `stasis list` reports about each generation under ROOT.
#include <stasis/generation_store.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

enum class GenerationStatus { committed, partial, corrupt, retired };

struct GenerationListing {
    GenerationEntry entry;
    GenerationStatus status = GenerationStatus::committed;
    std::string time;         // the manifest's time; else the directory's mtime (UTC, ISO 8601)
    std::uint64_t bytes = 0;  // bytes of the files in the directory (holes left out)
    std::uint64_t borrowed_bytes = 0;        // stored bytes of its chunks that older generations hold
    std::vector<std::string> borrows_from;   // those generations
    std::string problem;      // why it is corrupt
    bool latest = false;      // LATEST names it
};

// Oldest first. "retired" is an old generation's data that later ones
// borrow (GenerationStore::prune), no longer a generation. "corrupt" means the manifest is unreadable or a data file
// it names is missing or shorter than its chunks need; checking every
// chunk's checksum is `stasis verify`'s job.
std::vector<GenerationListing> list_generations(const GenerationStore& store);

std::string status_name(GenerationStatus status);

}  // namespace stasis
