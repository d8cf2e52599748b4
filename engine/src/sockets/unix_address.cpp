#include "sockets/unix_address.hpp"

#include "core/error.hpp"

#include <cctype>
#include <cstring>

namespace stasis {

std::string unix_name(const char* sun_path, std::size_t length)
{
    if (length == 0 || sun_path[0] == '\0') {
        return std::string(sun_path, length);
    }
    return std::string(sun_path, ::strnlen(sun_path, length));
}

UnixAddress unix_address(const std::string& name)
{
    UnixAddress a;
    if (name.empty() || name.size() > sizeof(a.address.sun_path)) {
        throw ImageError("the image holds a Unix socket name of " + std::to_string(name.size()) +
                         " bytes, which no socket can have");
    }
    a.address.sun_family = AF_UNIX;
    std::memcpy(a.address.sun_path, name.data(), name.size());
    a.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    return a;
}

std::string printable_name(const std::string& name)
{
    if (name.empty() || name.front() != '\0') {
        return name;
    }
    std::string shown = "@";
    for (char c : name.substr(1)) {
        shown += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    }
    return shown;
}

}  // namespace stasis
