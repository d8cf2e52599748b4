#pragma once
// --relaunch PROGRAM (repeatable), of `stasis dump` and `stasis run`: the
// processes running PROGRAM are started anew at restore instead of being
// checkpointed (DumpOptions::relaunch).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace stasis::cli {

// Each PROGRAM is an absolute path; it is stored as /proc/PID/exe would name
// it (symbolic links resolved).
void add_relaunch(CLI::App& cmd, std::vector<std::string>& programs);

}  // namespace stasis::cli
