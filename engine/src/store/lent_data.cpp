#include "store/lent_data.hpp"

#include "core/error.hpp"
#include "image/checkpoint_chunks.hpp"
#include "image/manifest.hpp"

namespace stasis {

namespace fs = std::filesystem;

namespace {

// "../gen-000001/pages-7-0.bin" -> "pages-7-0.bin"
std::string file_in_lender(const image::Chunk& chunk)
{
    return chunk.file.substr(chunk.file.find('/', 3) + 1);
}

}  // namespace

std::map<std::string, LentData> lent_data(const std::vector<GenerationEntry>& borrowers)
{
    std::map<std::string, LentData> lent;
    for (const auto& borrower : borrowers) {
        Checkpoint checkpoint;
        try {
            checkpoint = image::read_checkpoint(borrower.dir);
        } catch (const Error&) {
            continue;
        }
        image::for_each_chunk(checkpoint, [&lent](const image::Chunk& chunk) {
            if (image::is_borrowed(chunk)) {
                lent[image::lender_of(chunk)][file_in_lender(chunk)].emplace_back(chunk.offset, chunk.stored_size);
            }
        });
    }
    return lent;
}

void keep_only_lent(const fs::path& dir, const LentData& lent, const std::string& marker)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        auto name = entry.path().filename().string();
        auto it = lent.find(name);
        if (name == marker) {
            continue;
        }
        if (it == lent.end()) {
            fs::remove_all(entry.path(), ec);
        } else {
            keep_only_ranges(entry.path(), it->second);
        }
        if (ec) {
            break;
        }
    }
    if (ec) {
        throw Error("cannot remove the unborrowed files of " + dir.string() + ": " + ec.message());
    }
}

}  // namespace stasis
