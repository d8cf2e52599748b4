#pragma once
// An open fd of a checkpointed process, as the image keeps it: its number,
// its kind (files/fd_kind.hpp), the open file description it shares with
// other fds of the tree, and the state that its kind alone knows (detail,
// typed by the kind).
#include "event_fds/event_fd_state.hpp"
#include "inotify/inotify_state.hpp"
#include "pty_pairs/pty_master_state.hpp"
#include "terminals/terminal_state.hpp"
#include "unnamed_files/unnamed_file_state.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <variant>

namespace stasis {

enum class FdKind { file, device, inherit, pipe, eventfd, signalfd, timerfd, epoll, terminal, unnamed_file, inotify, unix_socket, path, pty_master, inet_socket, own_proc_file };

// A kind's own state; std::monostate for kinds that have none (a path and
// an offset say everything). A new kind with state of its own adds it here.
using FdDetail = std::variant<std::monostate, TerminalState, EventFdState, SignalFdState, TimerFdState, EpollState,
                              UnnamedFileRef, InotifyState, PtyMasterState>;

struct FdState {
    int fd = -1;
    FdKind kind = FdKind::file;
    std::string path;
    int flags = 0;
    std::int64_t pos = 0;
    // Fds (of any process of the tree) with the same number share one open
    // file description, and so one offset.
    int description = -1;
    FdDetail detail;

    // The detail of the kind this fd is; throws ImageError when it has
    // another (a manifest whose kind and detail disagree).
    template <typename T>
    [[nodiscard]] const T& detail_as() const;
    template <typename T>
    [[nodiscard]] T& detail_as();
};

void to_json(nlohmann::json& j, const FdState& f);
void from_json(const nlohmann::json& j, FdState& f);

[[noreturn]] void throw_detail_mismatch(const FdState& f);

template <typename T>
const T& FdState::detail_as() const
{
    const T* d = std::get_if<T>(&detail);
    if (d == nullptr) {
        throw_detail_mismatch(*this);
    }
    return *d;
}

template <typename T>
T& FdState::detail_as()
{
    T* d = std::get_if<T>(&detail);
    if (d == nullptr) {
        throw_detail_mismatch(*this);
    }
    return *d;
}

}  // namespace stasis
