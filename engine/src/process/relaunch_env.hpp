#pragma once
// What a process started anew at restore (ProcessState::relaunch) learns
// from its environment: the image it comes from and its pid there
// (contract/step_parts.hpp), in place of what an earlier relaunch gave it.
#include "image/checkpoint.hpp"

#include <filesystem>

namespace stasis {

void tell_relaunched_processes(Checkpoint& checkpoint, const std::filesystem::path& image_dir);

}  // namespace stasis
