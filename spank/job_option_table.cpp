#include "job_option_table.hpp"

#include "job_options.hpp"
#include "plugin_error.hpp"
#include "plugin_state.hpp"

#include <string>

namespace stasis::spank {

namespace {

// Slurm calls this for each option, in sbatch (remote == 0) and again in
// slurmstepd; a non-zero return fails the submission. It gets no user data:
// the plugin's state is the one place the value can go.
int on_option(int id, const char* value, int /*remote*/)
{
    auto& state = plugin_state();
    try {
        take_job_option(state.options, static_cast<JobOption>(id), value ? value : "");
        return 0;
    } catch (const std::exception& e) {
        state.log.error("{}", e.what());
        return -1;
    }
}

struct spank_option option_table[] = {
    {const_cast<char*>("checkpoint-interval"), const_cast<char*>("time"),
     const_cast<char*>("Checkpoint the job at this interval (e.g. 30, 1:00:00, 2h) and resume it after "
                       "preemption or its time limit (stasis)"),
     1, static_cast<int>(JobOption::interval), on_option},
    {const_cast<char*>("checkpoint-dir"), const_cast<char*>("path"),
     const_cast<char*>("Keep the job's checkpoints under this directory instead of the site's (stasis)"), 1,
     static_cast<int>(JobOption::dir), on_option},
    {const_cast<char*>("checkpoint-keep"), const_cast<char*>("n"),
     const_cast<char*>("Number of checkpoint generations to keep (stasis)"), 1, static_cast<int>(JobOption::keep),
     on_option},
    {const_cast<char*>("no-checkpoint"), nullptr, const_cast<char*>("Run the job without checkpoints (stasis)"), 0,
     static_cast<int>(JobOption::no_checkpoint), on_option},
};

}  // namespace

void register_job_options(spank_t spank)
{
    for (auto& option : option_table) {
        if (spank_option_register(spank, &option) != ESPANK_SUCCESS) {
            throw PluginError(std::string("cannot register the option --") + option.name);
        }
    }
}

}  // namespace stasis::spank
