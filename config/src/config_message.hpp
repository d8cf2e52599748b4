#pragma once
// The one-line form of every configuration error: "SOURCE:LINE: MESSAGE",
// or "SOURCE: MESSAGE" where there is no line (a plugin argument, a file
// that cannot be read).
#include "stasis/config_error.hpp"

#include <string>
#include <string_view>

namespace stasis {

struct ConfigLocation {
    std::string_view source;
    int line = 0;  // 1-based; 0: none
};

ConfigError config_error(const ConfigLocation& where, std::string_view message);

// TEXT in double quotes, with quotes, backslashes and control characters
// escaped so that a multi-line YAML value cannot break the message's line.
std::string in_quotes(std::string_view text);

}  // namespace stasis
