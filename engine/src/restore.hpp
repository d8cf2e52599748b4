#pragma once
// `stasis restore`: rebuild the process saved in an image and let it run on.
#include <sys/types.h>

#include <filesystem>
#include <string>

namespace stasis {

struct RestoreOptions {
    std::filesystem::path dir;
    bool detach = false;
    std::string pidfile;
};

// Without detach: waits for the restored process and returns its exit status
// (128 + signal number if a signal ended it). With detach: returns 0 once it
// runs. Throws an Error when the image cannot be restored; nothing of a
// half-restored process is left running then.
int restore(const RestoreOptions& options);

// Restores the image in dir and returns the pid of the running restored
// process, a child of the caller (for agents that supervise it). Throws an
// Error when it cannot be restored; nothing is left running then.
pid_t start_restored(const std::filesystem::path& dir);

}  // namespace stasis
