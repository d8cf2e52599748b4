#include "process/cgroup_dirs.hpp"

#include <stasis/split.hpp>

#include <algorithm>
#include <charconv>

namespace stasis {

namespace {

std::vector<std::string> strings(const std::vector<std::string_view>& views)
{
    return {views.begin(), views.end()};
}

bool is_octal_digit(char c)
{
    return c >= '0' && c <= '7';
}

// The kernel writes a space, tab, newline and backslash in a mountinfo path
// as a backslash and three octal digits.
std::string unescape(std::string_view field)
{
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && field.size() - i >= 4 && is_octal_digit(field[i + 1]) &&
            is_octal_digit(field[i + 2]) && is_octal_digit(field[i + 3])) {
            out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

// The directory under mount that shows cgroup path, when the mount's root
// is path or above it.
std::optional<std::string> dir_under(const MountLine& mount, const std::string& path)
{
    if (mount.root == "/") {
        return path == "/" ? mount.mount_point : mount.mount_point + path;
    }
    if (path == mount.root) {
        return mount.mount_point;
    }
    if (path.starts_with(mount.root + "/")) {
        return mount.mount_point + path.substr(mount.root.size());
    }
    return std::nullopt;
}

bool is_v2_mount(const MountLine& m)
{
    return m.fstype == "cgroup2";
}

bool is_v1_freezer_mount(const MountLine& m)
{
    return m.fstype == "cgroup" && contains(m.super_options, "freezer");
}

std::optional<CgroupDir> locate(CgroupVersion version, const std::string& path, std::string_view mountinfo,
                                bool (*is_mount)(const MountLine&))
{
    for (const auto& line : split(mountinfo, '\n')) {
        auto mount = parse_mountinfo_line(line);
        if (!mount || !is_mount(*mount)) {
            continue;
        }
        if (auto dir = dir_under(*mount, path)) {
            return CgroupDir{version, *dir, path == "/"};
        }
    }
    return std::nullopt;
}

}  // namespace

std::vector<CgroupLine> parse_proc_cgroup(std::string_view text)
{
    std::vector<CgroupLine> lines;
    for (const auto& line : split(text, '\n')) {
        // The path may hold ':' itself: only the first two separate.
        auto first = line.find(':');
        auto second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) {
            continue;
        }
        CgroupLine parsed;
        auto id = line.substr(0, first);
        if (std::from_chars(id.data(), id.data() + id.size(), parsed.hierarchy).ec != std::errc{}) {
            continue;
        }
        auto controllers = line.substr(first + 1, second - first - 1);
        if (!controllers.empty()) {
            parsed.controllers = strings(split(controllers, ','));
        }
        parsed.path = line.substr(second + 1);
        lines.push_back(std::move(parsed));
    }
    return lines;
}

std::optional<MountLine> parse_mountinfo_line(std::string_view line)
{
    auto dash = line.find(" - ");
    if (dash == std::string_view::npos) {
        return std::nullopt;
    }
    auto before = split(line.substr(0, dash), ' ');
    auto after = split(line.substr(dash + 3), ' ');
    if (before.size() < 6 || after.size() < 3) {
        return std::nullopt;
    }
    return MountLine{unescape(before[3]), unescape(before[4]), std::string(after[0]), strings(split(after[2], ','))};
}

std::vector<CgroupDir> freezer_cgroups(std::string_view proc_cgroup, std::string_view mountinfo)
{
    std::vector<CgroupDir> found;
    auto lines = parse_proc_cgroup(proc_cgroup);
    for (const auto& line : lines) {
        if (line.hierarchy == 0 && line.controllers.empty()) {
            if (auto dir = locate(CgroupVersion::v2, line.path, mountinfo, is_v2_mount)) {
                found.push_back(*dir);
            }
        }
    }
    for (const auto& line : lines) {
        if (contains(line.controllers, "freezer")) {
            if (auto dir = locate(CgroupVersion::v1, line.path, mountinfo, is_v1_freezer_mount)) {
                found.push_back(*dir);
            }
        }
    }
    return found;
}

}  // namespace stasis
