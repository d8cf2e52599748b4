#pragma once
// What a restore must never run: a process whose program or working
// directory is gone, or whose program is setuid, setgid or has file
// capabilities. Checked for every process before anything is started.
#include "process/process_state.hpp"

namespace stasis {

// Throws an Error naming the process and the program or directory.
void check_restorable(const ProcessState& process);

}  // namespace stasis
