// Which process re-adds an epoll's watches at restore, and which files it
// is handed for them (event_fds/epoll_watches): pure logic over the image's
// process tree.
#include "event_fds/epoll_watches.hpp"

#include <doctest/doctest.h>

#include <sys/epoll.h>

using namespace stasis;

namespace {

FdState fd(int number, int description, FdKind kind = FdKind::pipe)
{
    FdState f;
    f.fd = number;
    f.kind = kind;
    f.description = description;
    return f;
}

// An epoll at fd 4 (description 100) watching (number, description) pairs.
FdState epoll(std::vector<std::pair<int, int>> watches)
{
    FdState f = fd(4, 100, FdKind::epoll);
    EpollState state;
    for (auto [number, description] : watches) {
        state.watches.push_back({.fd = number, .events = EPOLLIN, .data = 0, .description = description});
    }
    f.detail = state;
    return f;
}

ProcessState process(pid_t pid, std::vector<FdState> fds)
{
    ProcessState p;
    p.pid = pid;
    p.fds = std::move(fds);
    return p;
}

}  // namespace

TEST_CASE("a watch at a number its holder closed is handed at that number")
{
    const std::vector<ProcessState> tree{process(10, {epoll({{40, 7}}), fd(5, 7)})};
    const auto handed = epoll_watch_fds(tree, 0, {4, 5});
    REQUIRE(handed.size() == 1);
    CHECK(handed.at({7, 40}) == 40);
}

TEST_CASE("a watch at a number its holder reused is handed above every taken number")
{
    const std::vector<ProcessState> tree{process(10, {epoll({{5, 7}}), fd(5, 8), fd(6, 7)})};
    const auto handed = epoll_watch_fds(tree, 0, {4, 5, 6, 9});
    REQUIRE(handed.size() == 1);
    CHECK(handed.at({7, 5}) == 10);
}

TEST_CASE("a shared epoll is rebuilt in the first holder that has every watch in place or free")
{
    // The parent reused number 7 for another pipe; the child has the watched
    // file there, so the child re-adds the watches and is handed nothing.
    const std::vector<ProcessState> tree{process(10, {epoll({{7, 3}}), fd(7, 9)}),
                                         process(11, {epoll({{7, 3}}), fd(7, 3)})};
    CHECK(epoll_watch_fds(tree, 0, {4, 7}).empty());
    CHECK(epoll_watch_fds(tree, 1, {4, 7}).empty());
}

TEST_CASE("without such a holder, the first holder re-adds them with what it lacks handed")
{
    const std::vector<ProcessState> tree{process(10, {epoll({{7, 3}, {8, 5}}), fd(7, 9), fd(8, 5)}),
                                         process(11, {epoll({{7, 3}, {8, 5}}), fd(7, 3), fd(8, 6)})};
    const auto handed = epoll_watch_fds(tree, 0, {4, 7, 8});
    REQUIRE(handed.size() == 1);
    CHECK(handed.at({3, 7}) == 9);
    CHECK(epoll_watch_fds(tree, 1, {4, 7, 8}).empty());
}

TEST_CASE("an image from before watch descriptions re-adds every watch at its number")
{
    const std::vector<ProcessState> tree{process(10, {epoll({{5, -1}}), fd(5, 8)})};
    CHECK(epoll_watch_fds(tree, 0, {4, 5}).empty());
}
