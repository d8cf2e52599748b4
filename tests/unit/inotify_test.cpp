// inotify at dump: the watch lines of an fdinfo (hex fields, the kernel's
// device encoding), and the path found again for a watched inode from the
// places the process names.
#include "core/error.hpp"
#include "inotify/dump_inotify.hpp"
#include "inotify/watched_path.hpp"
#include "test_support.hpp"
#include <stasis/unique_fd.hpp>

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace stasis;

namespace {

FileId id_of(const std::filesystem::path& path)
{
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return {st.st_dev, st.st_ino};
}

std::string fdinfo_of(int fd)
{
    std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("parse_inotify_watches reads wd, inode, device and mask, all in hex")
{
    const std::string text = "pos:\t0\nflags:\t04000\nmnt_id:\t17\nino:\t1038\n"
                             "inotify wd:3 ino:a72192 sdev:fe00000 mask:fff ignored_mask:0 fhandle-bytes:8 "
                             "fhandle-type:1 f_handle:9221a70026ad51f6\n"
                             "inotify wd:1a ino:a72283 sdev:800011 mask:84000300 ignored_mask:0 fhandle-bytes:8 "
                             "fhandle-type:1 f_handle:8322a700ffaf93a9\n";
    auto watches = parse_inotify_watches(text);
    REQUIRE(watches.size() == 2);
    CHECK(watches[0].wd == 3);
    CHECK(watches[0].file.ino == 0xa72192);
    CHECK(watches[0].file.dev == makedev(254, 0));
    CHECK(watches[0].mask == IN_ALL_EVENTS);
    CHECK(watches[1].wd == 26);
    CHECK(watches[1].file.dev == makedev(8, 17));
    CHECK(watches[1].mask == (IN_ONESHOT | IN_EXCL_UNLINK | IN_CREATE | IN_DELETE));
    CHECK(parse_inotify_watches("pos:\t0\n").empty());
    CHECK_THROWS_AS(parse_inotify_watches("inotify wd:1 inode:5 sdev:0 mask:1\n"), Error);
}

TEST_CASE("a live instance's watches name the inode and device stat reports")
{
    test::TempDir tmp;
    const UniqueFd in(::inotify_init1(IN_CLOEXEC));
    REQUIRE(in.valid());
    REQUIRE(::inotify_add_watch(in.get(), tmp.path().c_str(), IN_CREATE | IN_ONESHOT) == 1);
    auto watches = parse_inotify_watches(fdinfo_of(in.get()));
    REQUIRE(watches.size() == 1);
    CHECK(watches[0].file.ino == id_of(tmp.path()).ino);
    CHECK(watches[0].file.dev == id_of(tmp.path()).dev);
    CHECK(watches[0].mask == (IN_CREATE | IN_ONESHOT));
}

TEST_CASE("find_watched_path finds an inode below, and above, the directory of an open file")
{
    test::TempDir tmp;
    std::filesystem::create_directories(tmp.path() / "a" / "b" / "watched");
    const auto file = tmp.write("a/open.txt", "x");
    const UniqueFd held(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(held.valid());
    auto below = find_watched_path(::getpid(), id_of(tmp.path() / "a" / "b" / "watched"));
    REQUIRE(below.has_value());
    CHECK(id_of(*below).ino == id_of(tmp.path() / "a" / "b" / "watched").ino);
    auto above = find_watched_path(::getpid(), id_of(tmp.path()));
    REQUIRE(above.has_value());
    CHECK(*above == tmp.path().string());
    // An inode no path leads to (removed) is not found, and the bounded
    // search ends.
    const auto gone = id_of(tmp.path() / "a" / "b" / "watched");
    std::filesystem::remove(tmp.path() / "a" / "b" / "watched");
    CHECK_FALSE(find_watched_path(::getpid(), gone).has_value());
}
