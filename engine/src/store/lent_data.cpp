#include "store/lent_data.hpp"

#include "core/error.hpp"
#include "image/checkpoint_chunks.hpp"
#include "image/manifest.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

namespace stasis {

namespace fs = std::filesystem;

namespace {

// "../gen-000001/pages-7-0.bin" -> "pages-7-0.bin"
std::string file_in_lender(const image::Chunk& chunk)
{
    return chunk.file.substr(chunk.file.find('/', 3) + 1);
}

// Punching is only to give the space back: a file system that cannot
// leaves the bytes where they are.
void punch(int fd, std::uint64_t from, std::uint64_t to, const fs::path& file)
{
    if (to <= from) {
        return;
    }
    if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from),
                    static_cast<off_t>(to - from)) < 0 &&
        errno != EOPNOTSUPP && errno != ENOSYS) {
        throw sys_error("cannot give back the unborrowed space of " + file.string());
    }
}

void punch_unlent(const fs::path& file, ByteRanges ranges)
{
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) < 0) {
        throw sys_error("cannot open " + file.string() + " to give back its unborrowed space");
    }
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t at = 0;
    for (const auto& [offset, length] : ranges) {
        punch(fd.get(), at, offset, file);
        at = std::max(at, offset + length);
    }
    punch(fd.get(), at, static_cast<std::uint64_t>(st.st_size), file);
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
            punch_unlent(entry.path(), it->second);
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
