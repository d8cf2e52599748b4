#pragma once
// One `stasis run` per ROOT: two agents writing the same generation numbers,
// or a second one resuming a job that still runs, would lose checkpoints.
#include <stasis/unique_fd.hpp>

#include <filesystem>

namespace stasis::agent {

class RootLock {
public:
    // Takes ROOT/.lock (flock, released when the agent ends however it
    // ends); throws Error naming the holder's pid when it is taken.
    explicit RootLock(const std::filesystem::path& root);

    // Whether an agent holds ROOT's lock now.
    [[nodiscard]] static bool held(const std::filesystem::path& root);

private:
    UniqueFd fd_;
};

}  // namespace stasis::agent
