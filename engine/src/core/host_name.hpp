#pragma once
// This node's name, as gethostname gives it ("" if it cannot).
#include <unistd.h>

#include <string>

namespace stasis {

inline std::string host_name()
{
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return host;
}

}  // namespace stasis
