#include "config_message.hpp"

#include <cstdio>

namespace stasis {

ConfigError config_error(const ConfigLocation& where, std::string_view message)
{
    std::string text(where.source);
    if (where.line > 0) {
        text += ":" + std::to_string(where.line);
    }
    text += ": ";
    text += message;
    return ConfigError(text);
}

std::string in_quotes(std::string_view text)
{
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace stasis
