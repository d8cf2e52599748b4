#pragma once
// The dump half of inotify: the watches of an instance from its fdinfo,
// each given a path to its inode (inotify/watched_path.hpp). Refused: a
// watch whose inode has no path stasis can find, and events queued but not
// read yet (reading them would take them from the program, and they cannot
// be queued again).
#include "files/fd_kind.hpp"
#include "inotify/inotify_state.hpp"
#include "inotify/watched_path.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

// One "inotify wd:... ino:... sdev:... mask:..." line of an fdinfo.
struct ListedWatch {
    int wd = 0;
    FileId file;
    std::uint32_t mask = 0;
};

// Throws an Error for a malformed watch line.
std::vector<ListedWatch> parse_inotify_watches(const std::string& fdinfo);

// FdKindOps::dump of the inotify kind.
void dump_inotify(const FdProbe& probe, FdState& fd);

}  // namespace stasis
