#pragma once
// A process's own /proc entries (/proc/self/timers, /proc/self/status, ...)
// opened as files. The path names the process's host pid, which a restored
// process does not have: the restore reopens /proc/self/... inside the
// restored process itself, at the saved flags and offset.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& own_proc_file_kind();

}  // namespace stasis
