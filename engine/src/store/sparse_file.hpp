#pragma once
// Giving back the space of the parts of a data file that no chunk uses.
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

namespace stasis {

// Byte ranges [offset, offset + length) of one data file, as chunks store them.
using ByteRanges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// Punches holes in file everywhere outside ranges. Punching is only to give
// the space back: on a file system that cannot, the bytes stay. Throws
// Error when the file cannot be opened or a punch fails otherwise.
void keep_only_ranges(const std::filesystem::path& file, ByteRanges ranges);

}  // namespace stasis
