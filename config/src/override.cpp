// Plugin arguments that override single keys of the file: keep=3.
#include "config_message.hpp"
#include "settings.hpp"
#include "stasis/site_config.hpp"

namespace stasis {

void apply_override(SiteConfig& config, std::string_view key_equals_value)
{
    const ConfigLocation where{"plugin argument"};
    auto equals = key_equals_value.find('=');
    if (equals == std::string_view::npos) {
        throw config_error(where, "expected KEY=VALUE, got " + in_quotes(key_equals_value));
    }
    const auto& setting = find_setting(key_equals_value.substr(0, equals), where);
    assign_setting(config, setting, key_equals_value.substr(equals + 1), where);
}

}  // namespace stasis
