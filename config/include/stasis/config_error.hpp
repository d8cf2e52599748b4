#pragma once
// A setting that cannot be taken, from the site file, a plugin argument or a
// command line: one line that says where, which key, and what was wrong.
#include <stdexcept>

namespace stasis {

class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace stasis
