#include "inet_sockets/inet_address.hpp"

#include "core/error.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace stasis {

namespace {

const sockaddr_in& v4(const InetAddress& a)
{
    return reinterpret_cast<const sockaddr_in&>(a.address);
}

const sockaddr_in6& v6(const InetAddress& a)
{
    return reinterpret_cast<const sockaddr_in6&>(a.address);
}

InetAddress mapped_to_v4(const InetAddress& a)
{
    if (a.family() != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&v6(a).sin6_addr)) {
        return a;
    }
    return inet_address(AF_INET, v6(a).sin6_port, &v6(a).sin6_addr.s6_addr[12]);
}

}  // namespace

std::uint16_t InetAddress::port() const
{
    return ntohs(family() == AF_INET ? v4(*this).sin_port : v6(*this).sin6_port);
}

bool InetAddress::wildcard() const
{
    return family() == AF_INET ? v4(*this).sin_addr.s_addr == htonl(INADDR_ANY)
                               : IN6_IS_ADDR_UNSPECIFIED(&v6(*this).sin6_addr);
}

InetAddress inet_address(int family, std::uint16_t network_port, const void* bytes)
{
    InetAddress a;
    if (family == AF_INET) {
        auto& in = reinterpret_cast<sockaddr_in&>(a.address);
        in.sin_family = AF_INET;
        in.sin_port = network_port;
        std::memcpy(&in.sin_addr, bytes, sizeof(in.sin_addr));
        a.length = sizeof(in);
    } else {
        auto& in6 = reinterpret_cast<sockaddr_in6&>(a.address);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = network_port;
        std::memcpy(&in6.sin6_addr, bytes, sizeof(in6.sin6_addr));
        a.length = sizeof(in6);
    }
    return a;
}

std::string inet_address_text(const sockaddr_storage& address, socklen_t length)
{
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET && length >= sizeof(sockaddr_in)) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
        return std::string(text) + ":" + std::to_string(ntohs(in.sin_port));
    }
    if (address.ss_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
        return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6.sin6_port));
    }
    return "";
}

InetAddress inet_address_from_text(const std::string& text)
{
    auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size()) {
        throw ImageError("'" + text + "' is not an address and port");
    }
    std::string host = text.substr(0, colon);
    unsigned port = 0;
    const char* last = text.data() + text.size();
    auto [end, error] = std::from_chars(text.data() + colon + 1, last, port);
    bool six = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (six) {
        host = host.substr(1, host.size() - 2);
    }
    unsigned char bytes[sizeof(in6_addr)] = {};
    int family = six ? AF_INET6 : AF_INET;
    if (error != std::errc() || end != last || port > 65535 || ::inet_pton(family, host.c_str(), bytes) != 1) {
        throw ImageError("'" + text + "' is not an address and port");
    }
    return inet_address(family, htons(static_cast<std::uint16_t>(port)), bytes);
}

std::string comparable_address(const InetAddress& a)
{
    return inet_address_text(mapped_to_v4(a));
}

bool address_covers(const InetAddress& bound, const InetAddress& to)
{
    auto b = mapped_to_v4(bound);
    auto t = mapped_to_v4(to);
    if (b.port() != t.port()) {
        return false;
    }
    if (bound.wildcard()) {
        return bound.family() == AF_INET6 || t.family() == AF_INET;
    }
    return comparable_address(b) == comparable_address(t);
}

InetAddress loopback_on_port(const InetAddress& a)
{
    if (a.family() == AF_INET) {
        in_addr loopback{htonl(INADDR_LOOPBACK)};
        return inet_address(AF_INET, htons(a.port()), &loopback);
    }
    return inet_address(AF_INET6, htons(a.port()), &in6addr_loopback);
}

}  // namespace stasis
