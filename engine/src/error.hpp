#pragma once
// Errors are exceptions carrying a full sentence of context; they are caught
// once, at the command-line boundary, and printed as one line.
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace stasis {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The image on disk is missing, truncated, corrupt or of another format.
class ImageError : public Error {
public:
    using Error::Error;
};

// Builds an Error from errno: "<what>: <strerror>".
[[nodiscard]] inline Error sys_error(const std::string& what, int err = errno)
{
    return Error(what + ": " + std::strerror(err));
}

}  // namespace stasis
