#pragma once
// How /proc names a file without a name, in an fd's link or a mapping's
// path: "/tmp/d/f (deleted)", "/tmp/d/#1234 (deleted)" (O_TMPFILE),
// "/dev/shm/x (deleted)", "/memfd:NAME (deleted)".
#include <string>

namespace stasis {

// "... (deleted)" or "/memfd:...".
bool is_unnamed_file_link(const std::string& link);
bool is_memfd_link(const std::string& link);

// The link without " (deleted)".
std::string unnamed_file_path(const std::string& link);

// The name a memfd was created with, from its path ("/memfd:NAME").
std::string memfd_name(const std::string& path);

}  // namespace stasis
