// Where a process's cgroups are: /proc/PID/cgroup lines and mountinfo lines,
// and the freezer cgroups found from both. Fixed texts pin the formats (a
// hybrid layout as on the project's machines, a pure v2 one, a cgroup
// namespace); this process's own files check them against the running
// kernel.
#include "core/proc.hpp"
#include "process/cgroup_dirs.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace stasis;

namespace {

// The project's machines: v1 controllers, cgroup2 beside them.
constexpr char hybrid_mounts[] =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

}  // namespace

TEST_CASE("parse_proc_cgroup: v1 controllers, named hierarchies and the v2 line")
{
    auto lines = parse_proc_cgroup("9:name=systemd:/\n"
                                   "6:freezer:/slurm/uid_1000/job_42/step_0\n"
                                   "2:cpu,cpuacct:/a:b\n"
                                   "0::/user.slice/job\n");
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].hierarchy == 9);
    CHECK(lines[0].controllers == std::vector<std::string>{"name=systemd"});
    CHECK(lines[1].controllers == std::vector<std::string>{"freezer"});
    CHECK(lines[1].path == "/slurm/uid_1000/job_42/step_0");
    CHECK(lines[2].controllers == std::vector<std::string>{"cpu", "cpuacct"});
    CHECK(lines[2].path == "/a:b");  // a ':' in the path is the path's
    CHECK(lines[3].hierarchy == 0);
    CHECK(lines[3].controllers.empty());
    CHECK(lines[3].path == "/user.slice/job");
}

TEST_CASE("parse_proc_cgroup skips what is not a line of it")
{
    CHECK(parse_proc_cgroup("").empty());
    CHECK(parse_proc_cgroup("\nno colon\nx::/bad id\n").empty());
}

TEST_CASE("parse_mountinfo_line: root, mount point, type and super options")
{
    auto m = parse_mountinfo_line("36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime shared:5 - cgroup cgroup rw,freezer");
    REQUIRE(m);
    CHECK(m->root == "/");
    CHECK(m->mount_point == "/sys/fs/cgroup/freezer");
    CHECK(m->fstype == "cgroup");
    CHECK(m->super_options == std::vector<std::string>{"rw", "freezer"});

    auto escaped = parse_mountinfo_line("50 30 0:37 /job\\0401 /mnt/cg\\040two\\134x rw - cgroup2 cgroup2 rw");
    REQUIRE(escaped);
    CHECK(escaped->root == "/job 1");
    CHECK(escaped->mount_point == "/mnt/cg two\\x");

    CHECK_FALSE(parse_mountinfo_line(""));
    CHECK_FALSE(parse_mountinfo_line("36 30 0:33 / /x rw"));   // no " - "
    CHECK_FALSE(parse_mountinfo_line("36 30 / - cgroup cgroup rw"));  // too few fields
}

TEST_CASE("freezer_cgroups on a hybrid layout: v2 first, then the v1 freezer")
{
    auto found = freezer_cgroups("6:freezer:/job\n4:memory:/m\n0::/job2\n", hybrid_mounts);
    REQUIRE(found.size() == 2);
    CHECK(found[0].version == CgroupVersion::v2);
    CHECK(found[0].path == "/sys/fs/cgroup/unified/job2");
    CHECK_FALSE(found[0].is_root);
    CHECK(found[1].version == CgroupVersion::v1);
    CHECK(found[1].path == "/sys/fs/cgroup/freezer/job");
}

TEST_CASE("freezer_cgroups marks a hierarchy's root")
{
    auto found = freezer_cgroups("6:freezer:/\n0::/\n", hybrid_mounts);
    REQUIRE(found.size() == 2);
    CHECK(found[0].path == "/sys/fs/cgroup/unified");
    CHECK(found[0].is_root);
    CHECK(found[1].is_root);
}

TEST_CASE("freezer_cgroups leaves out a hierarchy without a mount that reaches the cgroup")
{
    // No v1 freezer mount; the cgroup2 mount shows only /other.
    auto found = freezer_cgroups("6:freezer:/job\n0::/job\n",
                                 "40 30 0:37 /other /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    CHECK(found.empty());
}

TEST_CASE("freezer_cgroups under a mount of a subtree (a container's bind mount)")
{
    constexpr char mounts[] = "40 30 0:37 /slurm/job_7 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    auto found = freezer_cgroups("0::/slurm/job_7/step_0\n", mounts);
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == "/sys/fs/cgroup/step_0");
    auto top = freezer_cgroups("0::/slurm/job_7\n", mounts);
    REQUIRE(top.size() == 1);
    CHECK(top[0].path == "/sys/fs/cgroup");
    CHECK(freezer_cgroups("0::/slurm/job_70\n", mounts).empty());
}

TEST_CASE("freezer_cgroups of this process: every directory found exists")
{
    auto found = freezer_cgroups(proc::read_text("/proc/self/cgroup"), proc::read_text("/proc/self/mountinfo"));
    for (const auto& cgroup : found) {
        INFO(cgroup.path);
        CHECK(proc::read_text(cgroup.path + "/cgroup.procs").size() > 0);
    }
}
