#include "sockets/sock_diag.hpp"

#include "core/error.hpp"
#include <stasis/unique_fd.hpp>

#include <linux/sock_diag.h>
#include <sys/socket.h>

#include <array>
#include <vector>

namespace stasis {

namespace {

void send_request(int sock, const void* request, std::size_t size, const std::string& what)
{
    std::vector<char> message(NLMSG_LENGTH(size));
    auto* header = reinterpret_cast<nlmsghdr*>(message.data());
    header->nlmsg_len = static_cast<std::uint32_t>(message.size());
    header->nlmsg_type = SOCK_DIAG_BY_FAMILY;
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    std::memcpy(NLMSG_DATA(header), request, size);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
        throw sys_error("cannot ask the kernel for " + what + " (sock_diag)");
    }
}

// Reads one batch of replies; false once the dump is done.
bool read_replies(int sock, const std::string& what, const std::function<void(const nlmsghdr&)>& each)
{
    alignas(nlmsghdr) std::array<char, 32768> buffer;
    ssize_t n = ::recv(sock, buffer.data(), buffer.size(), 0);
    if (n < 0) {
        if (errno == EINTR) {
            return true;
        }
        throw sys_error("cannot read the kernel's list of " + what + " (sock_diag)");
    }
    // NLMSG_OK and NLMSG_NEXT, without their mix of signed and unsigned
    // lengths (a warning under Clang).
    auto size = static_cast<std::size_t>(n);
    for (std::size_t at = 0; at + sizeof(nlmsghdr) <= size;) {
        const auto* header = reinterpret_cast<const nlmsghdr*>(buffer.data() + at);
        if (header->nlmsg_len < sizeof(nlmsghdr) || header->nlmsg_len > size - at) {
            break;
        }
        at += NLMSG_ALIGN(header->nlmsg_len);
        if (header->nlmsg_type == NLMSG_DONE) {
            return false;
        }
        if (header->nlmsg_type == NLMSG_ERROR) {
            const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
            throw sys_error("the kernel refused to list " + what + " (sock_diag)", -error->error);
        }
        if (header->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
            each(*header);
        }
    }
    return true;
}

}  // namespace

void sock_diag_dump(const void* request, std::size_t size, const std::string& what,
                    const std::function<void(const nlmsghdr&)>& each)
{
    UniqueFd sock(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!sock.valid()) {
        throw sys_error("cannot open a sock_diag netlink socket");
    }
    send_request(sock.get(), request, size, what);
    while (read_replies(sock.get(), what, each)) {
    }
}

}  // namespace stasis
