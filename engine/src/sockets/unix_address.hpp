#pragma once
// Unix socket names as the kernel hands them out (sock_diag, recvfrom) and as
// bind/connect/sendto take them back.
#include <sys/socket.h>
#include <sys/un.h>

#include <cstddef>
#include <string>

namespace stasis {

// The name in the first length bytes of a sun_path: a path up to its NUL
// (the kernel counts one), an abstract name (leading NUL) byte for byte.
std::string unix_name(const char* sun_path, std::size_t length);

struct UnixAddress {
    sockaddr_un address{};
    socklen_t length = 0;

    [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&address); }
};

// Throws ImageError for an empty name or one longer than sun_path.
UnixAddress unix_address(const std::string& name);

// A name as messages show it: a path as it is, an abstract name as "@" and
// its printable bytes.
std::string printable_name(const std::string& name);

}  // namespace stasis
