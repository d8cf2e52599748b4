// install_fds: a restored process's fd table, filled between fork and exec.
// It rewrites the whole table of the process that calls it, so each case
// runs in a forked child, which reports what its table held afterwards.
#include "core/io.hpp"
#include "core/proc.hpp"
#include <stasis/unique_fd.hpp>
#include "files/fd_table.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace stasis;

namespace {

// Which object an fd is: "st_dev:st_ino".
std::string id_of(int fd)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return "closed";
    }
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

// Every fd open in this process, ascending. The listing's own fd is closed
// again by the time this returns, so it fails the F_GETFD test.
std::vector<int> open_fds()
{
    std::vector<int> open;
    for (long fd : proc::numbered_entries("/proc/self/fd")) {
        if (::fcntl(static_cast<int>(fd), F_GETFD) != -1) {
            open.push_back(static_cast<int>(fd));
        }
    }
    return open;
}

std::vector<UniqueFd> make_objects(int count)
{
    std::vector<UniqueFd> objects;
    for (int i = 0; i < count; ++i) {
        objects.emplace_back(::memfd_create(("fd table object " + std::to_string(i)).c_str(), MFD_CLOEXEC));
        REQUIRE(objects.back().valid());
    }
    return objects;
}

struct Setup {
    std::map<int, int> sources;  // fd number in the child before install_fds -> index of its object
    std::vector<FdPlacement> placements;
    int report_target = -1;  // where the child's report file is placed, besides placements
};

struct Outcome {
    bool installed = false;
    std::vector<int> before;             // fds open in the child just before install_fds
    std::map<int, std::string> after;    // fd -> id_of, for every fd open afterwards
    std::string report_id;
};

constexpr int refused = 10;

// The child's own part; returns its exit status.
int install_and_report(const std::vector<UniqueFd>& objects, const Setup& setup, int report)
{
    // Room for a full table and its parked copies, where the machine allows.
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);

    // Set the sources up from copies above every number in play, so that
    // setting up one cannot overwrite another's object.
    int base = setup.report_target;
    for (const auto& [fd, object] : setup.sources) {
        base = std::max(base, fd);
    }
    for (const auto& p : setup.placements) {
        base = std::max({base, p.target, p.source});
    }
    ++base;
    std::vector<int> parked;
    for (const auto& object : objects) {
        parked.push_back(::fcntl(object.get(), F_DUPFD, base));
    }
    const int parked_report = ::fcntl(report, F_DUPFD, base);
    if (parked_report < 0 || std::find(parked.begin(), parked.end(), -1) != parked.end()) {
        return 20;
    }
    for (const auto& [fd, object] : setup.sources) {
        if (::dup2(parked[static_cast<std::size_t>(object)], fd) != fd) {
            return 21;
        }
    }
    std::vector<FdPlacement> placements = setup.placements;
    placements.push_back({.target = setup.report_target, .source = parked_report});
    const std::vector<int> before = open_fds();

    if (!install_fds(placements)) {
        return refused;
    }
    std::ostringstream text;
    for (int fd : before) {
        text << fd << ' ';
    }
    text << '\n';
    for (int fd : open_fds()) {
        text << fd << ' ' << id_of(fd) << '\n';
    }
    const std::string s = text.str();
    write_all(setup.report_target, std::as_bytes(std::span(s.data(), s.size())), "the report");
    return 0;
}

// Runs install_fds in a child set up as setup says. The report goes into a
// memfd both share: unlike a pipe it holds any size, and the parent reads
// it once the child has ended.
Outcome install_in_child(const std::vector<UniqueFd>& objects, const Setup& setup)
{
    const UniqueFd report(::memfd_create("fd table report", MFD_CLOEXEC));
    REQUIRE(report.valid());
    const int status = test::in_child([&] { return install_and_report(objects, setup, report.get()); });
    CAPTURE(status);
    REQUIRE((status == 0 || status == refused));
    Outcome outcome;
    outcome.installed = status == 0;
    outcome.report_id = id_of(report.get());

    struct stat st {};
    REQUIRE(::fstat(report.get(), &st) == 0);
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    REQUIRE(pread_full(report.get(), std::as_writable_bytes(std::span(text)), 0, "the report") == text.size());
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    std::istringstream before(line);
    for (int fd = 0; before >> fd;) {
        outcome.before.push_back(fd);
    }
    int fd = 0;
    std::string id;
    while (in >> fd >> id) {
        outcome.after[fd] = id;
    }
    return outcome;
}

std::string numbers(const std::map<int, std::string>& fds)
{
    std::string list;
    for (const auto& [fd, id] : fds) {
        list += (list.empty() ? "" : " ") + std::to_string(fd);
    }
    return list;
}

bool contains(const std::vector<int>& fds, int fd)
{
    return std::find(fds.begin(), fds.end(), fd) != fds.end();
}

}  // namespace

TEST_CASE("install_fds places overlapping sources right and closes every other fd")
{
    const auto objects = make_objects(5);
    // Whatever the test runner holds (it may pass pipes above fd 2) is
    // inherited by the child and must be closed there too.
    const std::vector<int> runner_fds = open_fds();

    Setup setup;
    setup.sources = {{5, 0}, {3, 1}, {6, 2}, {4, 3}, {7, 4}};
    setup.placements = {
        {.target = 3, .source = 5}, {.target = 5, .source = 3},  // a swap
        {.target = 4, .source = 6}, {.target = 8, .source = 6},  // one source at two targets
        {.target = 6, .source = 4},                              // onto another's source
        {.target = 7, .source = 7}, {.target = 0, .source = 7},  // in place, and at a low number too
    };
    setup.report_target = 9;
    const Outcome out = install_in_child(objects, setup);
    REQUIRE(out.installed);

    const std::map<int, std::string> expected = {
        {0, id_of(objects[4].get())}, {3, id_of(objects[0].get())}, {4, id_of(objects[2].get())},
        {5, id_of(objects[1].get())}, {6, id_of(objects[3].get())}, {7, id_of(objects[4].get())},
        {8, id_of(objects[2].get())}, {9, out.report_id},
    };
    CHECK(numbers(out.after) == numbers(expected));
    for (const auto& placed : expected) {
        const int fd = placed.first;  // not a structured binding: CAPTURE takes it into a lambda
        CAPTURE(fd);
        const auto found = out.after.find(fd);
        CHECK((found == out.after.end() ? "closed" : found->second) == placed.second);
    }
    // The child had more than its targets open, the runner's fds among them.
    CHECK(out.before.size() > expected.size());
    for (int fd : runner_fds) {
        CAPTURE(fd);
        CHECK(contains(out.before, fd));
    }
}

TEST_CASE("install_fds fails on a placement without a source")
{
    const auto objects = make_objects(1);
    Setup setup;
    setup.sources = {{3, 0}};
    setup.placements = {{.target = 3, .source = 3}, {.target = 4, .source = -1}};
    setup.report_target = 5;
    CHECK_FALSE(install_in_child(objects, setup).installed);
}

TEST_CASE("install_fds takes max_placements placements and refuses one more")
{
    rlimit limit{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &limit) == 0);
    // A full table is parked above its targets first: twice its size.
    if (limit.rlim_max < 2 * max_placements + 64) {
        MESSAGE("skipped: RLIMIT_NOFILE is too low for a full table");
        return;
    }
    const auto objects = make_objects(1);
    const int last = static_cast<int>(max_placements) - 1;  // the report takes one placement
    Setup full;
    full.sources = {{3, 0}};
    for (int target = 0; target < last; ++target) {
        full.placements.push_back({.target = target, .source = 3});
    }
    full.report_target = last;
    const Outcome out = install_in_child(objects, full);
    REQUIRE(out.installed);
    REQUIRE(out.after.size() == max_placements);
    CHECK(out.after.begin()->first == 0);
    CHECK(out.after.rbegin()->first == last);
    const std::string object = id_of(objects[0].get());
    CHECK(std::count_if(out.after.begin(), out.after.end(), [&](const auto& e) { return e.second == object; }) ==
          last);

    Setup one_more = full;
    one_more.placements.push_back({.target = last, .source = 3});
    one_more.report_target = last + 1;
    CHECK_FALSE(install_in_child(objects, one_more).installed);
}
