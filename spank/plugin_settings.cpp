#include "plugin_settings.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace stasis::spank {

SiteConfig load_plugin_settings(int argc, char** argv)
{
    constexpr std::string_view config_prefix = "config=";
    std::filesystem::path file = default_config_file;
    bool named = false;
    std::vector<std::string_view> overrides;
    for (int i = 0; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg.starts_with(config_prefix)) {
            file = arg.substr(config_prefix.size());
            named = true;
        } else {
            overrides.push_back(arg);
        }
    }
    // Without a file of its own a site runs on the defaults; a file it names
    // must be there.
    SiteConfig settings = (named || std::filesystem::exists(file)) ? load_site_config(file) : SiteConfig{};
    for (auto override_arg : overrides) {
        apply_override(settings, override_arg);
    }
    return settings;
}

}  // namespace stasis::spank
