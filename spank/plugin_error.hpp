#pragma once
// What goes wrong in the plugin: one line of context, logged with the job id
// where a slurm_spank_* entry point catches it.
#include <stdexcept>

namespace stasis::spank {

class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace stasis::spank
