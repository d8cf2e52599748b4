#include "agent/step_task_registry.hpp"

#include "agent/run_log.hpp"
#include "core/atomic_file.hpp"

#include <stasis/step_parts.hpp>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

namespace stasis::agent {

namespace fs = std::filesystem;

StepTaskRegistration::StepTaskRegistration(const fs::path& root, StepTask task)
    : file_(root / contract::step_tasks_dir / task.part), task_(std::move(task))
{
    nlohmann::json entry = {{"launcher", task_.launcher}, {"rank", task_.rank}, {"host", task_.host},
                            {"agent", task_.agent}, {"step", task_.step}};
    try {
        fs::create_directories(file_.parent_path());
        write_file_atomically(file_, entry.dump() + "\n");
    } catch (const std::exception& e) {
        run_log().error("cannot register {} for the job's checkpoints: {}; its step is not checkpointed", task_.part,
                        e.what());
        file_.clear();
    }
}

StepTaskRegistration::~StepTaskRegistration()
{
    if (!file_.empty()) {
        std::error_code ec;
        fs::remove(file_, ec);
    }
}

std::vector<StepTask> registered_tasks(const fs::path& root, const std::set<pid_t>& launchers)
{
    std::vector<StepTask> tasks;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root / contract::step_tasks_dir, ec)) {
        try {
            std::ifstream in(e.path());
            auto entry = nlohmann::json::parse(in);
            StepTask task{e.path().filename().string(), entry.at("launcher").get<pid_t>(),
                          entry.at("rank").get<unsigned>(), entry.at("host").get<std::string>(),
                          entry.at("agent").get<pid_t>(), entry.value("step", "")};
            if (launchers.contains(task.launcher) && task.part == contract::part_name(task.launcher, task.rank)) {
                tasks.push_back(std::move(task));
            }
        } catch (const std::exception&) {
            continue;  // being written, or not ours to read
        }
    }
    std::sort(tasks.begin(), tasks.end(), [](const StepTask& a, const StepTask& b) { return a.part < b.part; });
    return tasks;
}

void clear_registered_tasks(const fs::path& root)
{
    std::error_code ec;
    fs::remove_all(root / contract::step_tasks_dir, ec);
}

}  // namespace stasis::agent
