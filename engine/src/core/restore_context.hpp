#pragma once
// What every restore step works with: the new process (stopped under
// ptrace), a syscall injector in its main thread, and a scratch area in its
// address space for the arguments of injected calls.
#include "core/syscall_injector.hpp"
#include "core/kernel_abi.hpp"
#include "process/process_state.hpp"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>

namespace stasis {

class RestoreContext {
public:
    RestoreContext(pid_t pid, std::uint64_t syscall_ip) : pid_(pid), main_(pid, syscall_ip) {}

    [[nodiscard]] pid_t pid() const { return pid_; }
    SyscallInjector& main() { return main_; }

    // The injection area: one code page with a `syscall` instruction, then
    // scratch space. Placed where no region of the image lies.
    void set_area(std::uint64_t base, std::uint64_t size);
    [[nodiscard]] std::uint64_t area_base() const { return area_base_; }
    [[nodiscard]] std::uint64_t area_size() const { return area_size_; }

    // Copies bytes into the scratch space and returns their address there
    // (always scratch_address()). Each call overwrites what the previous one
    // stored; a block that points into itself is laid out from
    // scratch_address().
    std::uint64_t stage(std::span<const std::byte> bytes);
    [[nodiscard]] std::uint64_t scratch_address() const { return area_base_ + page_size; }
    std::uint64_t stage_string(const std::string& s);
    template <typename T>
    std::uint64_t stage_value(const T& value)
    {
        return stage(std::as_bytes(std::span(&value, 1)));
    }

    // Objects handed across exec (is_handed_object): the fd each has in
    // this process until mapped.
    void set_shared_memory_fds(std::map<ObjectId, int> fds) { shared_fds_ = std::move(fds); }
    [[nodiscard]] const std::map<ObjectId, int>& shared_memory_fds() const { return shared_fds_; }

    // Files an epoll of this process watches but the process does not hold
    // at the watched number, handed across exec (event_fds/epoll_watches).
    void set_epoll_watch_fds(EpollWatchFds fds) { epoll_watch_fds_ = std::move(fds); }
    [[nodiscard]] const EpollWatchFds& epoll_watch_fds() const { return epoll_watch_fds_; }

private:
    pid_t pid_;
    SyscallInjector main_;
    std::uint64_t area_base_ = 0;
    std::uint64_t area_size_ = 0;
    std::map<ObjectId, int> shared_fds_;
    EpollWatchFds epoll_watch_fds_;
};

inline constexpr std::uint64_t injection_area_size = 1 << 20;

}  // namespace stasis
