// TCP/UDP addresses as the image writes them, and which socket a restore
// sends to or connects through (inet_sockets/inet_address.hpp).
#include "core/error.hpp"
#include "inet_sockets/inet_address.hpp"

#include <doctest/doctest.h>

using namespace stasis;

TEST_CASE("inet addresses: text round trip for IPv4 and IPv6")
{
    for (const char* text : {"127.0.0.1:5000", "0.0.0.0:0", "[::1]:65535", "[::ffff:127.0.0.1]:80", "[fe80::1]:22"}) {
        auto address = inet_address_from_text(text);
        CHECK(inet_address_text(address) == text);
    }
    CHECK(inet_address_from_text("[::1]:5000").family() == AF_INET6);
    CHECK(inet_address_from_text("127.0.0.1:5000").port() == 5000);
    CHECK(inet_address_from_text("0.0.0.0:7").wildcard());
    CHECK(inet_address_from_text("[::]:7").wildcard());
    CHECK_FALSE(inet_address_from_text("127.0.0.1:7").wildcard());
}

TEST_CASE("inet addresses: malformed text is an image error")
{
    for (const char* text : {"", "127.0.0.1", "127.0.0.1:", "localhost:80", "::1:80", "127.0.0.1:70000", "[::1:80"}) {
        CHECK_THROWS_AS(inet_address_from_text(text), ImageError);
    }
}

TEST_CASE("inet addresses: an IPv4-mapped address compares as its IPv4 one")
{
    CHECK(comparable_address(inet_address_from_text("[::ffff:127.0.0.1]:80")) == "127.0.0.1:80");
    CHECK(comparable_address(inet_address_from_text("[::1]:80")) == "[::1]:80");
}

TEST_CASE("inet addresses: what a bound socket receives")
{
    auto to = inet_address_from_text("127.0.0.1:5000");
    CHECK(address_covers(inet_address_from_text("127.0.0.1:5000"), to));
    CHECK(address_covers(inet_address_from_text("0.0.0.0:5000"), to));
    CHECK(address_covers(inet_address_from_text("[::]:5000"), to));  // dual stack
    CHECK(address_covers(inet_address_from_text("[::ffff:127.0.0.1]:5000"), to));
    CHECK_FALSE(address_covers(inet_address_from_text("127.0.0.2:5000"), to));
    CHECK_FALSE(address_covers(inet_address_from_text("0.0.0.0:5001"), to));
    CHECK_FALSE(address_covers(inet_address_from_text("0.0.0.0:5000"), inet_address_from_text("[::1]:5000")));
    CHECK(inet_address_text(loopback_on_port(inet_address_from_text("[::]:9"))) == "[::1]:9");
    CHECK(inet_address_text(loopback_on_port(inet_address_from_text("0.0.0.0:9"))) == "127.0.0.1:9");
}
