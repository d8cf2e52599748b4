#include "plugin_state.hpp"

namespace stasis::spank {

PluginState& plugin_state()
{
    static PluginState state;
    return state;
}

}  // namespace stasis::spank
