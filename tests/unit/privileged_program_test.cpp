// The programs an image may not run at restore, as the plugin and the
// engine judge them.
#include "test_support.hpp"

#include <stasis/privileged_program.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

using stasis::test::TempDir;

using stasis::contract::privileged_program;

TEST_CASE("privileged programs: setuid, setgid, and what cannot be looked at")
{
    TempDir dir;
    auto program = dir.write("program", "#!/bin/sh\n");
    REQUIRE(::chmod(program.c_str(), 0755) == 0);
    CHECK_FALSE(privileged_program(program));
    REQUIRE(::chmod(program.c_str(), 04755) == 0);
    CHECK(privileged_program(program) == "a setuid program");
    REQUIRE(::chmod(program.c_str(), 02755) == 0);
    CHECK(privileged_program(program) == "a setgid program");
    CHECK_FALSE(privileged_program(dir.path() / "missing"));
}

TEST_CASE("privileged programs: any file capability attribute counts")
{
    TempDir dir;
    auto program = dir.write("program", "#!/bin/sh\n");
    // VFS_CAP_REVISION_2 with no capability at all: still an attribute the
    // kernel would act on at exec. Setting one needs CAP_SETFCAP.
    const unsigned char empty_caps[20] = {0, 0, 0, 2};
    if (::setxattr(program.c_str(), "security.capability", empty_caps, sizeof empty_caps, 0) < 0) {
        MESSAGE("cannot set security.capability here (errno " << errno << "); not checked");
        return;
    }
    CHECK(privileged_program(program) == "a program with file capabilities");
}
