#include "checkpoint_root.hpp"

#include "plugin_error.hpp"

#include <stasis/step_parts.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stasis::spank {

namespace {

struct stat lstat_or_throw(const std::filesystem::path& path)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) {
        throw PluginError("cannot inspect " + path.string() + ": " + std::strerror(errno));
    }
    return st;
}

void make_directory(const std::filesystem::path& path, mode_t mode)
{
    if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) {
        throw PluginError("cannot create " + path.string() + ": " + std::strerror(errno));
    }
}

void check_owner(const std::filesystem::path& path, const struct stat& st, const JobOwner& owner)
{
    if (st.st_uid != owner.uid) {
        throw PluginError(path.string() + " is owned by uid " + std::to_string(st.st_uid) + ", not by the job's user (uid " +
                          std::to_string(owner.uid) + ")");
    }
}

}  // namespace

void prepare_site_root(const std::filesystem::path& site_dir, const std::filesystem::path& root,
                       const JobOwner& owner)
{
    make_directory(site_dir, 0755);
    if (!S_ISDIR(lstat_or_throw(site_dir).st_mode)) {
        throw PluginError(site_dir.string() + " (checkpoint_dir) is not a directory");
    }
    if (::mkdir(root.c_str(), 0700) == 0) {
        if (::chown(root.c_str(), owner.uid, owner.gid) < 0) {
            auto why = std::string(std::strerror(errno));
            ::rmdir(root.c_str());
            throw PluginError("cannot give " + root.string() + " to uid " + std::to_string(owner.uid) + ": " + why);
        }
        return;
    }
    if (errno != EEXIST) {
        throw PluginError("cannot create " + root.string() + ": " + std::strerror(errno));
    }
    check_owned_by(root, owner);
}

void check_owned_by(const std::filesystem::path& path, const JobOwner& owner)
{
    auto st = lstat_or_throw(path);
    if (!S_ISDIR(st.st_mode)) {
        throw PluginError(path.string() + " is not a directory");
    }
    check_owner(path, st, owner);
}

void check_generation_owned_by(const std::filesystem::path& generation, const JobOwner& owner)
{
    check_owned_by(generation, owner);
    for (const auto& entry : std::filesystem::directory_iterator(generation)) {
        auto st = lstat_or_throw(entry.path());
        // The parts of the job's other steps: each an image of the same kind.
        if (S_ISDIR(st.st_mode) && entry.path().filename() == contract::parts_dir) {
            for (const auto& part : std::filesystem::directory_iterator(entry.path())) {
                check_generation_owned_by(part.path(), owner);
            }
            check_owner(entry.path(), st, owner);
            continue;
        }
        if (!S_ISREG(st.st_mode)) {
            throw PluginError(entry.path().string() + " is not a regular file");
        }
        check_owner(entry.path(), st, owner);
    }
}

}  // namespace stasis::spank
