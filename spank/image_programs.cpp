#include "image_programs.hpp"

#include "plugin_error.hpp"

#include <nlohmann/json.hpp>
#include <stasis/privileged_program.hpp>

#include <fstream>

namespace stasis::spank {

namespace {

// A missing program is left to the restore, which says so itself.
void check_program(const std::string& exe)
{
    if (auto privileged = contract::privileged_program(exe)) {
        throw PluginError("the checkpoint would run " + exe + ", " + *privileged);
    }
}

}  // namespace

void check_no_privileged_programs(const std::filesystem::path& generation)
{
    std::ifstream in(generation / "manifest.json");
    if (!in) {
        return;  // not committed: the agent falls back to an older generation
    }
    nlohmann::json manifest;
    try {
        in >> manifest;
        for (const auto& process : manifest.at("processes")) {
            check_program(process.at("exe").get<std::string>());
        }
    } catch (const nlohmann::json::exception& e) {
        throw PluginError("unreadable manifest in " + generation.string() + ": " + e.what());
    }
}

}  // namespace stasis::spank
