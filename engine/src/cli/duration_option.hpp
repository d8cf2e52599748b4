#pragma once
// Options whose value is a duration (stasis/duration.hpp): Slurm's formats
// and 30s/10m/2h/1d, a bad one refused as a usage error naming it.
#include <CLI/CLI.hpp>

#include <chrono>

namespace stasis::cli {

CLI::Validator duration_validator();

// --freeze-timeout DUR (more than 0) into timeout, whose value is the default.
void add_freeze_timeout(CLI::App& cmd, std::chrono::seconds& timeout);

}  // namespace stasis::cli
