// What the plugin learns of an image through `stasis info --json`, and the
// way it runs a command as the job's user.
#include "image_programs.hpp"
#include "plugin_error.hpp"
#include "test_support.hpp"
#include "user_command.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

using stasis::test::TempDir;

using namespace std::chrono_literals;
using stasis::spank::JobOwner;
using stasis::spank::PluginError;
using stasis::spank::programs_in_info;
using stasis::spank::refuse_privileged_programs;
using stasis::spank::run_as_user;

TEST_CASE("image programs: the exe of every process stasis info lists")
{
    auto info = R"({"dir":"/x/gen-000001","processes":[{"pid":10,"ppid":1,"exe":"/bin/bash","threads":1},
                    {"pid":11,"ppid":10,"exe":"/usr/bin/sleep","threads":1}],"bytes":0})";
    CHECK(programs_in_info(info) == std::vector<std::string>{"/bin/bash", "/usr/bin/sleep"});
    CHECK(programs_in_info(R"({"processes":[]})").empty());
    for (const char* text : {"", "stasis: nope", R"({"dir":"/x"})", R"({"processes":[{"pid":10}]})",
                             R"({"processes":[{"exe":42}]})"}) {
        CAPTURE(text);
        CHECK_THROWS_AS(programs_in_info(text), PluginError);
    }
}

TEST_CASE("image programs: a setuid one is refused by name; missing ones are the restore's business")
{
    TempDir dir;
    auto plain = dir.write("plain", "");
    auto setuid = dir.write("setuid", "");
    REQUIRE(::chmod(setuid.c_str(), 04755) == 0);
    CHECK_NOTHROW(refuse_privileged_programs({plain, (dir.path() / "missing").string()}));
    try {
        refuse_privileged_programs({plain, setuid});
        FAIL("a setuid program passed");
    } catch (const PluginError& e) {
        CHECK(std::string(e.what()) == "the checkpoint would run " + setuid.string() + ", a setuid program");
    }
}

// run_as_user changes users: only root can, so elsewhere these say so and stop.
TEST_CASE("user command: output, status and the user it runs as")
{
    if (::geteuid() != 0) {
        MESSAGE("not root: run_as_user cannot change users here; not checked");
        return;
    }
    const JobOwner nobody{65534, 65534};
    auto output = run_as_user({"/bin/sh", "-c", "id -u; id -G; echo \"$PATH\"; pwd; ls /proc/self/fd; echo oops >&2; "
                                                "exit 3"},
                              nobody, 10s, 1 << 20);
    CHECK(WIFEXITED(output.status));
    CHECK(WEXITSTATUS(output.status) == 3);
    CHECK(output.out == "65534\n65534\n/usr/bin:/bin\n/\n0\n1\n2\n3\n");  // 3: ls's own directory fd
    CHECK(output.err == "oops\n");
}

TEST_CASE("user command: one that runs too long or says too much is killed")
{
    if (::geteuid() != 0) {
        MESSAGE("not root: run_as_user cannot change users here; not checked");
        return;
    }
    const JobOwner nobody{65534, 65534};
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH_AS(run_as_user({"/bin/sleep", "30"}, nobody, 200ms, 1 << 20), doctest::Contains("in time"),
                         PluginError);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK_THROWS_WITH_AS(run_as_user({"/usr/bin/yes"}, nobody, 10s, 1 << 16), doctest::Contains("more than"),
                         PluginError);
    auto missing = run_as_user({"/nonexistent/program"}, nobody, 10s, 1 << 20);
    CHECK(WEXITSTATUS(missing.status) == 127);
    CHECK(missing.err == "stasis.so: cannot execute /nonexistent/program\n");
}
