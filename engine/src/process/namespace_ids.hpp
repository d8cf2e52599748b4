#pragma once
// A process restored into a PID namespace of its own knows itself by pids
// that differ from the ones stasis sees from outside. The image keeps the
// pids each process itself uses, which a restore hands back to it.
#include "image/checkpoint.hpp"

namespace stasis {

// Rewrites every pid, tid, ppid, pgid and sid of a checkpoint that still
// holds outside pids (as read from /proc) to the innermost namespace's.
// Must run while the processes exist.
void to_namespace_ids(Checkpoint& checkpoint);

}  // namespace stasis
