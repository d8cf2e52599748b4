#pragma once
// `stasis restore`: rebuild the process tree saved in an image and let it run on.
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>

namespace stasis {

struct RestoreOptions {
    std::filesystem::path dir;
    bool detach = false;
    std::string pidfile;
};

// Without detach: waits for the restored root and returns its exit status
// (128 + signal number if a signal ended it). With detach: returns 0 once it
// runs. Throws Error when the image cannot be restored; nothing of a
// half-restored tree is left running then.
int restore(const RestoreOptions& options);

struct StartedRestore {
    pid_t root = 0;   // the restored root process
    pid_t child = 0;  // the caller's child: the root, or the init of the PID namespace
                      // the tree is restored in, which ends with the root's exit status
};

// Files that are somewhere else now: an fd of the image on the key's path
// is reopened on the value's (a batch script the scheduler copied to
// another path on another node). Same content, so the same offset.
using MovedFiles = std::map<std::string, std::string>;

// Restores the image in dir and lets it run, for an agent that supervises it.
StartedRestore start_restored(const std::filesystem::path& dir, const MovedFiles& moved = {});

}  // namespace stasis
