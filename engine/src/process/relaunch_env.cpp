#include "process/relaunch_env.hpp"

#include <stasis/step_parts.hpp>

#include <algorithm>

namespace stasis {

namespace {

void set_variable(std::vector<std::string>& env, const std::string& name, const std::string& value)
{
    auto prefix = name + "=";
    std::erase_if(env, [&prefix](const std::string& entry) { return entry.starts_with(prefix); });
    env.push_back(prefix + value);
}

}  // namespace

void tell_relaunched_processes(Checkpoint& checkpoint, const std::filesystem::path& image_dir)
{
    auto image = std::filesystem::absolute(image_dir).lexically_normal().string();
    for (auto& process : checkpoint.processes) {
        if (process.relaunch) {
            set_variable(process.relaunch->env, contract::relaunch_image_env, image);
            set_variable(process.relaunch->env, contract::relaunch_pid_env, std::to_string(process.pid));
        }
    }
}

}  // namespace stasis
