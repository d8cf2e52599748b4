#include "files/forked_fds.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/remote_memory.hpp"

#include <sys/socket.h>
#include <sys/syscall.h>

#include <cstring>
#include <string>

namespace stasis {

namespace {

void send_description(int channel, int fd)
{
    char byte = 0;
    iovec iov{&byte, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    if (::sendmsg(channel, &msg, MSG_NOSIGNAL) != 1) {
        throw sys_error("cannot hand a forked process its fds");
    }
}

// The received block, as laid out in the process's scratch space.
struct Received {
    msghdr msg;
    iovec iov;
    char byte;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
};

// Receives one description in the process; returns the fd it got.
int receive_description(RestoreContext& ctx, int channel_at)
{
    const std::uint64_t at = ctx.scratch_address();
    Received block{};
    block.iov.iov_base = reinterpret_cast<void*>(at + offsetof(Received, byte));
    block.iov.iov_len = 1;
    block.msg.msg_iov = reinterpret_cast<iovec*>(at + offsetof(Received, iov));
    block.msg.msg_iovlen = 1;
    block.msg.msg_control = reinterpret_cast<void*>(at + offsetof(Received, control));
    block.msg.msg_controllen = sizeof(block.control);
    ctx.stage_value(block);
    ctx.main().checked("recvmsg of an fd", SYS_recvmsg, {static_cast<std::uint64_t>(channel_at), at, 0});
    auto got = read_remote_value<Received>(ctx.pid(), at);
    got.msg.msg_control = got.control;  // read back here: parse our copy
    cmsghdr* cmsg = CMSG_FIRSTHDR(&got.msg);
    if (cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS || cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
        throw Error("process " + std::to_string(ctx.pid()) + " did not receive its fd");
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
    return fd;
}

void close_all_but(RestoreContext& ctx, int kept)
{
    if (kept > 0) {
        ctx.main().checked("close_range", SYS_close_range, {0, static_cast<std::uint64_t>(kept - 1), 0});
    }
    ctx.main().checked("close_range", SYS_close_range, {static_cast<std::uint64_t>(kept + 1), ~0U, 0});
}

}  // namespace

void take_own_fds(RestoreContext& ctx, const std::vector<FdPlacement>& placements, FdChannel channel, int keep_at)
{
    close_all_but(ctx, channel.at);
    for (const auto& placement : placements) {
        send_description(channel.stasis, placement.source);
        int got = receive_description(ctx, channel.at);
        if (got != placement.target) {
            ctx.main().checked("dup3", SYS_dup3,
                               {static_cast<std::uint64_t>(got), static_cast<std::uint64_t>(placement.target), 0});
            ctx.main().checked("close", SYS_close, {static_cast<std::uint64_t>(got)});
        }
    }
    if (keep_at == channel.at) {
        return;
    }
    if (keep_at >= 0) {
        ctx.main().checked("dup3", SYS_dup3,
                           {static_cast<std::uint64_t>(channel.at), static_cast<std::uint64_t>(keep_at), 0});
    }
    ctx.main().checked("close", SYS_close, {static_cast<std::uint64_t>(channel.at)});
}

}  // namespace stasis
