#pragma once
// What the engine throws: one line of context, for the caller to print.
#include <stdexcept>

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

}  // namespace stasis
