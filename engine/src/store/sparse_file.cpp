#include "store/sparse_file.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

namespace stasis {

namespace fs = std::filesystem;

namespace {

void punch(int fd, std::uint64_t from, std::uint64_t to, const fs::path& file)
{
    if (to <= from) {
        return;
    }
    if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from),
                    static_cast<off_t>(to - from)) < 0 &&
        errno != EOPNOTSUPP && errno != ENOSYS) {
        throw sys_error("cannot give back the unused space of " + file.string());
    }
}

}  // namespace

void keep_only_ranges(const fs::path& file, ByteRanges ranges)
{
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) < 0) {
        throw sys_error("cannot open " + file.string() + " to give back its unused space");
    }
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t at = 0;
    for (const auto& [offset, length] : ranges) {
        punch(fd.get(), at, offset, file);
        at = std::max(at, offset + length);
    }
    punch(fd.get(), at, static_cast<std::uint64_t>(st.st_size), file);
}

}  // namespace stasis
