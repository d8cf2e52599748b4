#pragma once
// inotify instances (and the refusal of fanotify groups): see
// inotify/dump_inotify.hpp and inotify/restore_inotify.hpp.
#include "files/fd_kind.hpp"

namespace stasis {

const FdKindOps& inotify_kind();

}  // namespace stasis
