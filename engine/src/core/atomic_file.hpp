#pragma once
// Replaces a small file atomically, also when agents on several nodes write
// the same one at once: each writes a temporary file of its own (named by
// host and pid) beside it, fsyncs it, renames it over the target and fsyncs
// the directory. Throws Error naming the file.
#include <filesystem>
#include <string>

namespace stasis {

void write_file_atomically(const std::filesystem::path& target, const std::string& text);

// fsync of a file or directory (flags: O_RDONLY | O_DIRECTORY for one).
void fsync_path(const std::filesystem::path& path, int flags);

}  // namespace stasis
