#include "launcher_env.hpp"

#include <stasis/step_parts.hpp>

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace stasis::spank {

namespace {

std::optional<std::string> take_variable(spank_t spank, const char* name)
{
    char value[4096];
    if (spank_getenv(spank, name, value, sizeof value) != ESPANK_SUCCESS) {
        return std::nullopt;
    }
    spank_unsetenv(spank, name);
    return std::string(value);
}

std::optional<pid_t> as_pid(const std::optional<std::string>& text)
{
    if (!text) {
        return std::nullopt;
    }
    try {
        std::size_t used = 0;
        long pid = std::stol(*text, &used);
        if (used == text->size() && pid > 0 && pid <= 0x3fffffff) {
            return static_cast<pid_t>(pid);
        }
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

}  // namespace

void name_launcher()
{
    ::setenv(contract::launcher_pid_env, std::to_string(::getpid()).c_str(), 1);
    if (::getenv(contract::relaunch_image_env) != nullptr) {
        ::setenv("SLURM_OPEN_MODE", "append", 1);
    }
}

LauncherFacts take_launcher_facts(spank_t spank)
{
    LauncherFacts facts;
    facts.launcher = as_pid(take_variable(spank, contract::launcher_pid_env));
    if (auto image = take_variable(spank, contract::relaunch_image_env)) {
        facts.relaunch_image = *image;
    }
    facts.relaunch_pid = as_pid(take_variable(spank, contract::relaunch_pid_env));
    return facts;
}

}  // namespace stasis::spank
