#include "inotify/dump_inotify.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/proc.hpp"
#include "core/remote_fd.hpp"

#include <sys/ioctl.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <sstream>

namespace stasis {

namespace {

// "wd:3" -> "3" (hex like the rest of the line)
std::uint64_t field(const std::string& token, const std::string& key, const std::string& line)
{
    if (token.rfind(key + ":", 0) != 0) {
        throw Error("an inotify fdinfo has a malformed watch line: \"" + line + "\"");
    }
    return proc::parse_number(token.substr(key.size() + 1), 16, "inotify fdinfo '" + key + "'");
}

int unread_bytes(const FdProbe& probe)
{
    auto copy = copy_remote_fd(probe.pid, probe.fd);
    int bytes = 0;
    if (::ioctl(copy.get(), FIONREAD, &bytes) < 0) {
        throw sys_error("cannot ask fd " + std::to_string(probe.fd) + " of process " + std::to_string(probe.pid) +
                        " for its unread events");
    }
    return bytes;
}

std::string device_name(dev_t dev)
{
    return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

}  // namespace

// Lines "inotify wd:3 ino:a72192 sdev:fe00000 mask:fff ignored_mask:0 fhandle-bytes:8 ..."
std::vector<ListedWatch> parse_inotify_watches(const std::string& fdinfo)
{
    std::vector<ListedWatch> watches;
    std::istringstream in(fdinfo);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("inotify ", 0) != 0) {
            continue;
        }
        std::istringstream w(line);
        std::string tag, wd, ino, sdev, mask;
        w >> tag >> wd >> ino >> sdev >> mask;
        ListedWatch watch;
        watch.wd = static_cast<int>(field(wd, "wd", line));
        watch.file.ino = static_cast<ino_t>(field(ino, "ino", line));
        watch.file.dev = from_kernel_dev(field(sdev, "sdev", line));
        watch.mask = static_cast<std::uint32_t>(field(mask, "mask", line));
        watches.push_back(watch);
    }
    return watches;
}

}  // namespace stasis

namespace stasis {

void dump_inotify(const FdProbe& probe, FdState& fd)
{
    if (int bytes = unread_bytes(probe); bytes > 0) {
        refuse_fd(probe, "an inotify instance holding " + std::to_string(bytes) + " bytes of events not read yet");
    }
    InotifyState state;
    for (const auto& listed : parse_inotify_watches(probe.fdinfo)) {
        auto path = find_watched_path(probe.pid, listed.file);
        if (!path) {
            refuse_fd(probe, "an inotify instance whose watch " + std::to_string(listed.wd) + " is on inode " +
                                 std::to_string(listed.file.ino) + " of device " + device_name(listed.file.dev) +
                                 ", to which stasis finds no path");
        }
        state.watches.push_back({listed.wd, listed.mask, *path});
    }
    std::sort(state.watches.begin(), state.watches.end(),
              [](const InotifyWatch& a, const InotifyWatch& b) { return a.wd < b.wd; });
    fd.detail = std::move(state);
}

}  // namespace stasis
