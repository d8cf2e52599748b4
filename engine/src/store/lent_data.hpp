#pragma once
// The bytes of a generation's data files that later generations borrow
// (docs/image-format.md, Incremental generations): what prune must keep of
// a generation it retires.
#include "store/sparse_file.hpp"
#include <stasis/generation_store.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace stasis {

// Per data file name, the ranges borrowed from one generation.
using LentData = std::map<std::string, ByteRanges>;

// Per lending generation's name, what borrowers borrow of it. A borrower
// whose manifest cannot be read borrows nothing: it can never be restored.
std::map<std::string, LentData> lent_data(const std::vector<GenerationEntry>& borrowers);

// Keeps only lent of dir's files (and the file named marker): files nothing
// borrows are removed, and the ranges of a borrowed file that nothing
// borrows become holes, where the file system can punch them.
void keep_only_lent(const std::filesystem::path& dir, const LentData& lent, const std::string& marker);

}  // namespace stasis
