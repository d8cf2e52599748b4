// `stasis list ROOT [--json]`: the generations of a job (docs/run.md).
#include "agent/generation_listing.hpp"
#include "agent/human_size.hpp"
#include "cli/commands.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

namespace stasis::cli {

namespace {

struct ListArguments {
    std::string root;
    bool json = false;
};

void print_table(const std::vector<agent::GenerationListing>& listing, std::ostream& out)
{
    char line[256];
    std::snprintf(line, sizeof line, "%-12s %-10s %-21s %12s\n", "GENERATION", "STATUS", "TIME", "SIZE");
    out << line;
    for (const auto& g : listing) {
        std::snprintf(line, sizeof line, "%-12s %-10s %-21s %12s", g.entry.name.c_str(),
                      agent::status_name(g.status).c_str(), g.time.c_str(), agent::human_size(g.bytes).c_str());
        out << line << (g.latest ? "  LATEST" : "") << (g.problem.empty() ? "" : "  (" + g.problem + ")") << '\n';
    }
}

nlohmann::json to_json(const std::string& root, const std::vector<agent::GenerationListing>& listing)
{
    nlohmann::json doc{{"root", root}, {"latest", nullptr}, {"generations", nlohmann::json::array()}};
    for (const auto& g : listing) {
        nlohmann::json item{{"name", g.entry.name},
                            {"number", g.entry.number},
                            {"status", agent::status_name(g.status)},
                            {"time", g.time},
                            {"bytes", g.bytes},
                            {"latest", g.latest}};
        if (!g.problem.empty()) {
            item["problem"] = g.problem;
        }
        if (g.latest) {
            doc["latest"] = g.entry.name;
        }
        doc["generations"].push_back(std::move(item));
    }
    return doc;
}

}  // namespace

void add_list(CLI::App& app)
{
    auto args = std::make_shared<ListArguments>();
    auto* cmd = app.add_subcommand("list", "List the generations under ROOT: time, size, status");
    cmd->add_option("root", args->root, "Checkpoint directory ROOT of a job")->required();
    cmd->add_flag("--json", args->json, "Machine-readable output (docs/run.md)");
    cmd->callback([args] {
        auto listing = agent::list_generations(agent::GenerationStore::open(args->root));
        if (args->json) {
            std::cout << to_json(args->root, listing).dump(2) << '\n';
        } else {
            print_table(listing, std::cout);
        }
    });
}

}  // namespace stasis::cli
