#include "inet_sockets/inet_socket_options.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace stasis {

namespace {

// A buffer size the program (or the kernel's autotuning) changed; 0 when a
// new socket has the same.
int changed_size(int size, int fresh)
{
    return size == fresh ? 0 : size;
}

void set_int_option(int sock, int level, int name, int value, const InetSocketState& s)
{
    if (::setsockopt(sock, level, name, &value, sizeof(value)) != 0) {
        throw sys_error("cannot set the options of " + describe_inet_socket(s) + " again");
    }
}

}  // namespace

int socket_int_option(int sock, int level, int name)
{
    int value = 0;
    socklen_t size = sizeof(value);
    if (::getsockopt(sock, level, name, &value, &size) < 0) {
        throw sys_error("cannot read the options of a socket");
    }
    return value;
}

InetSocketOptions read_inet_options(int sock, int family, int type)
{
    UniqueFd fresh(::socket(family, type | SOCK_CLOEXEC, 0));
    if (!fresh.valid()) {
        throw sys_error("cannot make a socket to compare options with");
    }
    InetSocketOptions o;
    o.reuse_address = socket_int_option(sock, SOL_SOCKET, SO_REUSEADDR) != 0;
    o.reuse_port = socket_int_option(sock, SOL_SOCKET, SO_REUSEPORT) != 0;
    o.keep_alive = socket_int_option(sock, SOL_SOCKET, SO_KEEPALIVE) != 0;
    o.send_buffer = changed_size(socket_int_option(sock, SOL_SOCKET, SO_SNDBUF),
                                 socket_int_option(fresh.get(), SOL_SOCKET, SO_SNDBUF));
    o.receive_buffer = changed_size(socket_int_option(sock, SOL_SOCKET, SO_RCVBUF),
                                    socket_int_option(fresh.get(), SOL_SOCKET, SO_RCVBUF));
    o.no_delay = type == SOCK_STREAM && socket_int_option(sock, IPPROTO_TCP, TCP_NODELAY) != 0;
    o.v6_only = family == AF_INET6 && socket_int_option(sock, IPPROTO_IPV6, IPV6_V6ONLY) != 0;
    return o;
}

void keep_port_reusable(int sock)
{
    int on = 1;
    if (::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0) {
        throw sys_error("cannot set SO_REUSEADDR on a TCP socket of the tree");
    }
}

void set_options_before_bind(int sock, const InetSocketState& s)
{
    set_int_option(sock, SOL_SOCKET, SO_REUSEADDR, 1, s);
    set_int_option(sock, SOL_SOCKET, SO_REUSEPORT, s.options.reuse_port ? 1 : 0, s);
    if (s.family == AF_INET6) {
        set_int_option(sock, IPPROTO_IPV6, IPV6_V6ONLY, s.options.v6_only ? 1 : 0, s);
    }
}

// Buffer sizes are set as halves: the kernel doubles what it is given, and
// reports the doubled size.
void set_options_after_refill(int sock, const InetSocketState& s)
{
    const auto& o = s.options;
    if (s.type != SOCK_STREAM) {  // a TCP socket keeps it on: keep_port_reusable
        set_int_option(sock, SOL_SOCKET, SO_REUSEADDR, o.reuse_address ? 1 : 0, s);
    }
    set_int_option(sock, SOL_SOCKET, SO_KEEPALIVE, o.keep_alive ? 1 : 0, s);
    if (o.send_buffer > 0) {
        set_int_option(sock, SOL_SOCKET, SO_SNDBUF, o.send_buffer / 2, s);
    }
    if (o.receive_buffer > 0) {
        set_int_option(sock, SOL_SOCKET, SO_RCVBUF, o.receive_buffer / 2, s);
    }
    if (s.type == SOCK_STREAM) {
        set_int_option(sock, IPPROTO_TCP, TCP_NODELAY, o.no_delay ? 1 : 0, s);
    }
}

}  // namespace stasis
