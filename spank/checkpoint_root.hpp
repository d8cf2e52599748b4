#pragma once
// The job's checkpoint directory (ROOT of `stasis run`), seen from the root
// side: made for the user under the site's directory, and checked before a
// requeued job is pointed at anything in it.
#include <sys/types.h>

#include <filesystem>

namespace stasis::spank {

struct JobOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};

// <site_dir>/<job id>, created 0700 and owned by the user if missing. The
// site directory itself is created root-owned 0755 when it does not exist.
void prepare_site_root(const std::filesystem::path& site_dir, const std::filesystem::path& root,
                       const JobOwner& owner);

// Throws unless path is a directory (not a symlink) owned by the user, and,
// for a generation, every file in it is a regular file owned by the user,
// and so are its parts' (contract/step_parts.hpp).
void check_owned_by(const std::filesystem::path& path, const JobOwner& owner);
void check_generation_owned_by(const std::filesystem::path& generation, const JobOwner& owner);

}  // namespace stasis::spank
