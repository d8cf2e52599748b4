#pragma once
// The keys of stasis.yaml: each one's name, what it accepts, and how its
// text becomes a field of SiteConfig. The file and the plugin arguments
// both go through here, so they take and refuse the same values alike.
#include "config_message.hpp"
#include "stasis/site_config.hpp"

#include <string_view>

namespace stasis {

struct Setting {
    std::string_view key;
    std::string_view expected;                                   // completes "expected ...": "zstd or none"
    bool (*assign)(SiteConfig& config, std::string_view text);  // false: TEXT is no value of this key
};

// The setting named KEY; throws 'unknown key "KEY"' at WHERE when there is none.
const Setting& find_setting(std::string_view key, const ConfigLocation& where);

// "KEY: expected ..., got GOT" at WHERE; GOT is already worded ("a list", "\"many\"").
ConfigError bad_value(const Setting& setting, std::string_view got, const ConfigLocation& where);

// Sets the setting's field from TEXT, or throws bad_value naming TEXT.
void assign_setting(SiteConfig& config, const Setting& setting, std::string_view text, const ConfigLocation& where);

}  // namespace stasis
