#pragma once
// Errors are exceptions carrying a full sentence of context (stasis/error.hpp);
// they are caught once, at the command-line boundary, and printed as one line.
#include <stasis/error.hpp>

#include <cerrno>
#include <cstring>
#include <string>

namespace stasis {

// Builds an Error from errno: "<what>: <strerror>".
[[nodiscard]] inline Error sys_error(const std::string& what, int err = errno)
{
    return Error(what + ": " + std::strerror(err));
}

}  // namespace stasis
