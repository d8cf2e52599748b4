#pragma once
// Read-only views of an image for `stasis verify` and `stasis info`.
#include <filesystem>
#include <ostream>

namespace stasis::image {

// Reads back every chunk of every region and checks its size and checksum,
// and that every data file the manifest names exists. Prints one summary line
// on success; throws ImageError (prefixed with dir) at the first bad chunk.
void verify_image(const std::filesystem::path& dir, std::ostream& out);

// Prints the header, process tree, per-process region tables and totals, or
// with json the stable document described in docs/image-format.md
// ("stasis info --json"). Throws ImageError if the manifest is unusable.
void print_info(const std::filesystem::path& dir, bool json, std::ostream& out);

}  // namespace stasis::image
