#include "inotify/watched_path.hpp"

#include "core/proc.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

namespace stasis {

namespace {

// Bounds of the search below the candidate directories.
constexpr int max_depth = 4;
constexpr long max_entries = 200000;

bool is(const std::string& path, const FileId& id)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && st.st_ino == id.ino && st.st_dev == id.dev;
}

bool is_directory(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void add_candidate(std::vector<std::string>& dirs, const std::string& dir)
{
    if (!dir.empty() && dir.front() == '/' && std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) {
        dirs.push_back(dir);
    }
}

// The directory of a file the process names, or the directory itself.
void add_place_of(std::vector<std::string>& dirs, const std::string& path)
{
    if (path.empty() || path.front() != '/' || path.ends_with(" (deleted)")) {
        return;
    }
    add_candidate(dirs, is_directory(path) ? path : std::filesystem::path(path).parent_path().string());
}

std::vector<std::string> candidate_dirs(pid_t pid)
{
    std::string dir = "/proc/" + std::to_string(pid);
    std::vector<std::string> dirs;
    add_candidate(dirs, proc::read_link(dir + "/cwd"));
    for (long fd : proc::numbered_entries(dir + "/fd")) {
        try {
            add_place_of(dirs, proc::read_link(dir + "/fd/" + std::to_string(fd)));
        } catch (const std::exception&) {
            // closed meanwhile by another process sharing the table: nothing to look at
        }
    }
    add_place_of(dirs, proc::read_link(dir + "/exe"));
    for (const auto& m : proc::smaps(pid)) {
        add_place_of(dirs, m.path);
    }
    return dirs;
}

std::optional<std::string> among_ancestors(const std::vector<std::string>& dirs, const FileId& id)
{
    for (const auto& dir : dirs) {
        for (std::filesystem::path p = dir;; p = p.parent_path()) {
            if (is(p.string(), id)) {
                return p.string();
            }
            if (p == p.parent_path()) {
                break;
            }
        }
    }
    return std::nullopt;
}

std::string child_path(const std::string& dir, const char* name)
{
    return dir == "/" ? dir + name : dir + "/" + name;
}

struct Pending {
    std::string dir;
    int depth;
};

std::optional<std::string> below(const std::vector<std::string>& dirs, const FileId& id)
{
    std::deque<Pending> queue;
    for (const auto& dir : dirs) {
        queue.push_back({dir, 0});
    }
    std::set<std::string> listed;  // a directory below two candidates is listed once
    long entries = 0;
    while (!queue.empty() && entries < max_entries) {
        auto [dir, depth] = queue.front();
        queue.pop_front();
        if (!listed.insert(dir).second) {
            continue;
        }
        std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
        if (!d) {
            continue;
        }
        while (const dirent* e = ::readdir(d.get())) {
            std::string name = e->d_name;
            if (name == "." || name == ".." || ++entries > max_entries) {
                continue;
            }
            auto path = child_path(dir, e->d_name);
            if (e->d_ino == id.ino && is(path, id)) {
                return path;
            }
            if (e->d_type == DT_DIR && depth + 1 < max_depth) {
                queue.push_back({path, depth + 1});
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> find_watched_path(pid_t pid, const FileId& id)
{
    auto dirs = candidate_dirs(pid);
    if (auto found = among_ancestors(dirs, id)) {
        return found;
    }
    return below(dirs, id);
}

}  // namespace stasis
