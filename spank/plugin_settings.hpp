#pragma once
// The site's settings as the plugin sees them: the YAML file named by the
// plugstack.conf argument config=FILE (default /etc/stasis/stasis.yaml),
// with the other plugin arguments (keep=3, ...) overriding single keys.
#include <stasis/site_config.hpp>

namespace stasis::spank {

inline constexpr const char* default_config_file = "/etc/stasis/stasis.yaml";

SiteConfig load_plugin_settings(int argc, char** argv);

}  // namespace stasis::spank
