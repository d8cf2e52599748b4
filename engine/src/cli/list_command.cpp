// `stasis list ROOT [--json]`: the generations of a job (docs/run.md).
#include "commands.hpp"

#include <stasis/generation_store.hpp>

#include <iostream>
#include <memory>

namespace stasis::cli {

namespace {

struct ListArguments {
    std::string root;
    bool json = false;
};

}  // namespace

void add_list(CLI::App& app)
{
    auto args = std::make_shared<ListArguments>();
    auto* cmd = app.add_subcommand("list", "List the generations under ROOT: time, size, status");
    cmd->add_option("root", args->root, "Checkpoint directory ROOT of a job")->required();
    cmd->add_flag("--json", args->json, "Machine-readable output (docs/run.md)");
    cmd->callback([args] { print_generations(GenerationStore::open(args->root), args->json, std::cout); });
}

}  // namespace stasis::cli
