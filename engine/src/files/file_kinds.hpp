#pragma once
// The fd kinds that need nothing but a name to come back: regular files and
// directories (reopened by path at their flags and offset), character
// devices such as /dev/null, O_PATH descriptors (of any file: a name, not an
// open file), and fds 0-2 leading outside the tree (a scheduler's socket or
// pipe), which a restore hands over from its own.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& file_kind();
const FdKindOps& path_kind();
const FdKindOps& device_kind();
const FdKindOps& inherit_kind();

inline constexpr int last_stdio_fd = 2;

// A new open file description of the file at path with saved's flags and,
// unless it is a device or appends, its offset. Throws an Error naming the fd.
UniqueFd reopen_file(const std::string& path, const FdState& saved);

// The restorer's own fd (one of 0-2), or /dev/null if it has none there.
UniqueFd inherited_stdio(int fd);

}  // namespace stasis
