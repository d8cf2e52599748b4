#pragma once
// Where a process's cgroups are in the file system: the lines of
// /proc/PID/cgroup read against the cgroup mounts of /proc/self/mountinfo.
// Only the two hierarchies that can freeze a job are looked for: cgroup v2
// (the unified hierarchy, a hybrid layout mounts it beside v1) and the v1
// freezer controller.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stasis {

// One line of /proc/PID/cgroup, "ID:CONTROLLERS:PATH"; cgroup v2's is
// "0::PATH".
struct CgroupLine {
    int hierarchy = 0;
    std::vector<std::string> controllers;  // empty for v2
    std::string path;                      // as the reading process's cgroup namespace sees it
};

std::vector<CgroupLine> parse_proc_cgroup(std::string_view text);

// The fields of one /proc/PID/mountinfo line that locate a cgroup mount.
struct MountLine {
    std::string root;         // the directory of the mounted file system shown here
    std::string mount_point;  // octal escapes (\040 ...) undone
    std::string fstype;
    std::vector<std::string> super_options;  // a v1 cgroup mount names its controllers here
};

// Nothing for a line that is not one (too few fields, no " - ").
std::optional<MountLine> parse_mountinfo_line(std::string_view line);

enum class CgroupVersion { v1, v2 };

struct CgroupDir {
    CgroupVersion version = CgroupVersion::v2;
    std::string path;  // the cgroup's directory, absolute
    bool is_root = false;  // the hierarchy's top (as this cgroup namespace sees it)
};

// The cgroups of a process that a freezer can act on: its cgroup v2 first,
// then its v1 freezer cgroup, each where a mount shows it. A hierarchy with
// no mount, or whose mounts do not reach the process's cgroup, is left out.
std::vector<CgroupDir> freezer_cgroups(std::string_view proc_cgroup, std::string_view mountinfo);

}  // namespace stasis
