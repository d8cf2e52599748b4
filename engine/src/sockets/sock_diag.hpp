#pragma once
// The kernel's socket tables (NETLINK_SOCK_DIAG): one dump request, and its
// replies read until the kernel says it is done. Unix sockets
// (sockets/unix_diag.hpp) and TCP/UDP sockets (inet_sockets/inet_diag.hpp)
// ask it in their own terms; the query works unprivileged.
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <string>

namespace stasis {

// Sends request (a family's *_diag_req, without its netlink header) as a dump
// and calls each for every socket the kernel describes. what ("its Unix
// sockets") names the table in errors. Throws Error.
void sock_diag_dump(const void* request, std::size_t size, const std::string& what,
                    const std::function<void(const nlmsghdr&)>& each);

// The value of a reply's attribute (shorter payloads are zero-filled).
template <typename T>
T attribute_value(const rtattr* attr)
{
    T value{};
    std::memcpy(&value, RTA_DATA(attr), std::min<std::size_t>(sizeof(T), RTA_PAYLOAD(attr)));
    return value;
}

}  // namespace stasis
