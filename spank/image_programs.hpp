#pragma once
// The programs a generation would exec at restore. A restore runs as the
// job's user and execs under ptrace, so the kernel grants no setuid or file
// capability anyway; the root side still refuses such an image outright
// rather than rely on that.
#include <filesystem>

namespace stasis::spank {

// Throws PluginError naming the program when the manifest of generation
// names a setuid/setgid program or one with file capabilities.
void check_no_privileged_programs(const std::filesystem::path& generation);

}  // namespace stasis::spank
