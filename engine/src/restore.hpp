#pragma once
// `stasis restore`: rebuild the process saved in an image and let it run on.
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

}  // namespace stasis
