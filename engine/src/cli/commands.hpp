#pragma once
// Subcommands of `stasis` that live in their own files.
#include <CLI/CLI.hpp>

namespace stasis::cli {

void add_run(CLI::App& app);   // stasis run [--dir ROOT] [--interval DUR] [--keep N] -- CMD [ARG...]
void add_list(CLI::App& app);  // stasis list ROOT [--json]
void add_checkpoint(CLI::App& app);  // stasis checkpoint --dir ROOT [--timeout DUR]
void add_config(CLI::App& app);      // stasis config [FILE] [--json]

}  // namespace stasis::cli
