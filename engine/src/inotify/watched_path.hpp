#pragma once
// A path to an inode, found without privilege. inotify keeps only the
// watched inode (and a file handle that only CAP_DAC_READ_SEARCH may
// open), so stasis looks for the inode where a program's watches usually
// are: the directories the process itself names (its working directory,
// the directories of its open files, of its executable and of its mapped
// files) and every directory above them, then, breadth first, the tree
// below those directories, a few levels deep and a bounded number of
// entries in all.
#include <sys/types.h>

#include <optional>
#include <string>

namespace stasis {

struct FileId {
    dev_t dev = 0;  // as stat reports it
    ino_t ino = 0;
};

// A path whose last component is the inode itself (not a link to it).
std::optional<std::string> find_watched_path(pid_t pid, const FileId& id);

}  // namespace stasis
