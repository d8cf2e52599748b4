#include "image_programs.hpp"

#include "plugin_error.hpp"
#include "user_command.hpp"

#include <nlohmann/json.hpp>
#include <stasis/privileged_program.hpp>
#include <stasis/slurm_task_environment.hpp>
#include <sys/wait.h>

namespace stasis::spank {

namespace {

// slurmstepd waits for it before the job starts; a manifest is read in far less.
constexpr auto info_timeout = std::chrono::seconds(30);
constexpr std::size_t info_max_output = 64 << 20;

// The first line stasis wrote on stderr ("stasis: ..."), else how it ended.
std::string failure_of(const CommandOutput& output)
{
    auto line = output.err.substr(0, output.err.find('\n'));
    if (!line.empty()) {
        return line;
    }
    if (WIFSIGNALED(output.status)) {
        return "stasis info was killed by signal " + std::to_string(WTERMSIG(output.status));
    }
    return "stasis info exited with status " + std::to_string(WEXITSTATUS(output.status));
}

}  // namespace

ProgramListing list_image_programs(const std::filesystem::path& generation, const JobOwner& owner)
{
    try {
        auto output = run_as_user({stasis_program, "info", "--json", "--dir", generation.string()}, owner,
                                  info_timeout, info_max_output);
        if (!WIFEXITED(output.status) || WEXITSTATUS(output.status) != 0) {
            return {{}, failure_of(output)};
        }
        return {programs_in_info(output.out), std::nullopt};
    } catch (const PluginError& e) {
        return {{}, e.what()};
    }
}

std::vector<std::string> programs_in_info(std::string_view info_json)
{
    try {
        auto info = nlohmann::json::parse(info_json);
        std::vector<std::string> programs;
        for (const auto& process : info.at("processes")) {
            programs.push_back(process.at("exe").get<std::string>());
        }
        return programs;
    } catch (const nlohmann::json::exception& e) {
        throw PluginError(std::string("unexpected output of stasis info --json: ") + e.what());
    }
}

void refuse_privileged_programs(const std::vector<std::string>& programs)
{
    for (const auto& program : programs) {
        // A missing program is left to the restore, which says so itself.
        if (auto privileged = contract::privileged_program(program)) {
            throw PluginError("the checkpoint would run " + program + ", " + *privileged);
        }
    }
}

}  // namespace stasis::spank
