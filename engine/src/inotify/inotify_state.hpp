#pragma once
// An inotify instance as the image keeps it: its watches, each with the
// watch descriptor the program knows it by, its mask, and a path that led
// to the watched inode at checkpoint time (inotify itself keeps no path).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct InotifyWatch {
    int wd = 0;
    std::uint32_t mask = 0;  // events and IN_ONESHOT / IN_EXCL_UNLINK, as inotify_add_watch takes them
    std::string path;
};

struct InotifyState {
    std::vector<InotifyWatch> watches;  // in increasing wd order
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InotifyWatch, wd, mask, path)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(InotifyState, watches)

}  // namespace stasis
