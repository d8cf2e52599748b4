#pragma once
// TCP and UDP addresses as the image writes them ("127.0.0.1:5000",
// "[::1]:5000") and as bind/connect/sendto take them.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace stasis {

struct InetAddress {
    sockaddr_storage address{};
    socklen_t length = 0;

    [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&address); }
    [[nodiscard]] int family() const { return address.ss_family; }
    [[nodiscard]] std::uint16_t port() const;
    // 0.0.0.0 or ::
    [[nodiscard]] bool wildcard() const;
};

// An address as sock_diag gives it: family, port in network order and the
// address's bytes (4 or 16).
InetAddress inet_address(int family, std::uint16_t network_port, const void* bytes);

// "" for an address of another family (a Unix one) or of length 0.
std::string inet_address_text(const sockaddr_storage& address, socklen_t length);
inline std::string inet_address_text(const InetAddress& a)
{
    return inet_address_text(a.address, a.length);
}

// Throws ImageError for text that is no address of this form.
InetAddress inet_address_from_text(const std::string& text);

// The text two sockets compare: an IPv4 address mapped into IPv6
// (::ffff:127.0.0.1), as a dual-stack listener's connections have, is
// written as the IPv4 one its peer sees.
std::string comparable_address(const InetAddress& a);

// Whether a socket bound to bound (its address, or a wildcard of its family,
// on its port) receives what is sent to to.
bool address_covers(const InetAddress& bound, const InetAddress& to);

// The loopback address of a's family on a's port, for sending to a socket
// bound to a wildcard.
InetAddress loopback_on_port(const InetAddress& a);

}  // namespace stasis
