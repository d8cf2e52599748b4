#pragma once
// A guarded signal that reaches the job while stasis::dump holds it stays
// pending: the image records it, and dump sends it again when it lets the
// job go. A job resumed from that image would receive the scheduler's
// signal again at once, so such an image must not become a resume point.
#include <filesystem>
#include <optional>

namespace stasis::agent {

// The first guarded signal that the image in dir holds as pending and that
// came from outside the job (another process, or the kernel).
std::optional<int> replayed_signal(const std::filesystem::path& dir);

}  // namespace stasis::agent
