// `stasis checkpoint`: ask a running job's agent for a checkpoint now
// (docs/run.md).
#include "commands.hpp"
#include "duration_option.hpp"
#include "stasis/duration.hpp"

#include <stasis/run.hpp>

#include <iostream>
#include <memory>

namespace stasis::cli {

void add_checkpoint(CLI::App& app)
{
    struct Arguments {
        CheckpointRequest request;
        std::string timeout = "10m";
    };
    auto args = std::make_shared<Arguments>();
    auto* cmd = app.add_subcommand("checkpoint", "Ask the agent running a job in ROOT to checkpoint it now; "
                                                 "the job runs on");
    cmd->add_option("--dir", args->request.root, "Checkpoint directory ROOT of the running job")->required();
    cmd->add_option("--timeout", args->timeout, "Give up waiting after DUR")
        ->check(duration_validator())
        ->capture_default_str();
    cmd->callback([args] {
        args->request.timeout = parse_duration(args->timeout);
        std::cout << request_checkpoint(args->request) << "\n";
    });
}

}  // namespace stasis::cli
