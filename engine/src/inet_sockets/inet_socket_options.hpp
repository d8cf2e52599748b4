#pragma once
// The options of a TCP or UDP socket that the image keeps
// (InetSocketOptions): read at dump through a copy of the tree's fd, set
// again at restore on the new socket.
#include "inet_sockets/inet_socket_state.hpp"

namespace stasis {

// getsockopt of an int option. Throws Error.
int socket_int_option(int sock, int level, int name);

InetSocketOptions read_inet_options(int sock, int family, int type);

// SO_REUSEADDR on: a TCP socket of the killed tree that lingers in
// TIME_WAIT then lets a restore bind its port again. A restored TCP socket
// keeps it on too, so the image can be restored again on the same host
// while the previous restore's connections linger.
void keep_port_reusable(int sock);

// What must be set before bind: SO_REUSEADDR (on while the restore binds,
// whatever the program had), SO_REUSEPORT, IPV6_V6ONLY. Throws Error.
void set_options_before_bind(int sock, const InetSocketState& s);
// The rest once the socket is bound, connected and refilled, and a UDP
// socket's own SO_REUSEADDR.
void set_options_after_refill(int sock, const InetSocketState& s);

}  // namespace stasis
