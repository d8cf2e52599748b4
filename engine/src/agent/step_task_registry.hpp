#pragma once
// ROOT/tasks/: the tasks of the job's other steps that can write their part
// of a generation (contract/step_parts.hpp). A task's agent registers it for
// as long as it runs; the job's agent asks the registered tasks whose
// launcher is a process of its job.
#include <sys/types.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace stasis::agent {

struct StepTask {
    std::string part;     // contract::part_name
    pid_t launcher = 0;   // as the job's processes see it
    unsigned rank = 0;
    std::string host;
    pid_t agent = 0;      // the task's agent, on host
    std::string step;     // RunOptions::StepTaskPlace::step
};

// Registers a task while it lives. Registering is best-effort: a task that
// cannot register is named in the log and its step is not checkpointed.
class StepTaskRegistration {
public:
    StepTaskRegistration(const std::filesystem::path& root, StepTask task);
    ~StepTaskRegistration();
    StepTaskRegistration(const StepTaskRegistration&) = delete;
    StepTaskRegistration& operator=(const StepTaskRegistration&) = delete;

    [[nodiscard]] const StepTask& task() const { return task_; }

private:
    std::filesystem::path file_;
    StepTask task_;
};

// The registered tasks launched by one of launchers, by part name. An
// unreadable entry is skipped.
std::vector<StepTask> registered_tasks(const std::filesystem::path& root, const std::set<pid_t>& launchers);

// Forgets every registration: none outlives the job's run.
void clear_registered_tasks(const std::filesystem::path& root);

}  // namespace stasis::agent
