#include "files/file_kinds.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace stasis {

namespace {

bool is_file(const FdProbe& probe)
{
    return S_ISREG(probe.st.st_mode) || S_ISDIR(probe.st.st_mode);
}

// Whether the fd's file has a path a restore can open it by.
bool has_name(const FdProbe& probe)
{
    return !probe.link.empty() && probe.link[0] == '/' && probe.link.find(" (deleted)") == std::string::npos;
}

void dump_file(const FdProbe& probe, FdState&)
{
    if (!has_name(probe)) {
        refuse_fd(probe, "a deleted or unnamed file");
    }
}

bool is_device(const FdProbe& probe)
{
    return S_ISCHR(probe.st.st_mode);
}

void dump_nothing_more(const FdProbe&, FdState&) {}

UniqueFd reopen(const FdState& saved, RestoreSources& sources)
{
    return reopen_file(sources.path_now(saved.path), saved);
}

// A socket can only be one leading outside (the scheduler's, on fds 0-2).
bool is_socket(const FdProbe& probe)
{
    return S_ISSOCK(probe.st.st_mode);
}

void dump_socket(const FdProbe& probe, FdState&)
{
    if (probe.fd > last_stdio_fd) {
        refuse_fd(probe, "a socket");
    }
}

UniqueFd open_inherited(const FdState& saved, RestoreSources&)
{
    return inherited_stdio(saved.fd);
}

// An O_PATH descriptor names a file without opening it, whatever the file
// is (a directory, a FIFO, a socket's name, a symlink with O_NOFOLLOW).
bool is_path(const FdProbe& probe)
{
    return (std::stoul(proc::key_value(probe.fdinfo, "flags"), nullptr, 8) & O_PATH) != 0;
}

void dump_path(const FdProbe& probe, FdState&)
{
    if (!has_name(probe)) {
        refuse_fd(probe, "an O_PATH descriptor of a deleted or unnamed file");
    }
}

UniqueFd reopen_path(const FdState& saved, RestoreSources&)
{
    UniqueFd fd(::open(saved.path.c_str(), O_PATH | O_CLOEXEC | (saved.flags & (O_NOFOLLOW | O_DIRECTORY))));
    if (!fd.valid()) {
        throw sys_error("cannot reopen the O_PATH fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    return fd;
}

}  // namespace

UniqueFd reopen_file(const std::string& path, const FdState& saved)
{
    // Flags that only made sense when the file was created (an O_TMPFILE
    // file keeps O_TMPFILE, which holds O_DIRECTORY, in its flags).
    constexpr int tmpfile_bit = O_TMPFILE & ~O_DIRECTORY;
    int flags = saved.flags & ~(O_CREAT | O_TRUNC | O_EXCL | O_NOCTTY | ((saved.flags & tmpfile_bit) ? O_TMPFILE : 0));
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) {
        throw sys_error("cannot reopen fd " + std::to_string(saved.fd) + " (" + saved.path + ")");
    }
    if (saved.kind != FdKind::device && (saved.flags & O_APPEND) == 0 &&
        ::lseek(fd.get(), saved.pos, SEEK_SET) != saved.pos) {
        throw sys_error("cannot seek fd " + std::to_string(saved.fd) + " (" + saved.path + ") to " +
                        std::to_string(saved.pos));
    }
    return fd;
}

UniqueFd inherited_stdio(int fd)
{
    UniqueFd own(fd >= 0 && fd <= last_stdio_fd ? ::fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1);
    if (!own.valid()) {
        own.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    }
    return own;
}

const FdKindOps& file_kind()
{
    static const FdKindOps ops{.kind = FdKind::file, .name = "file", .recognizes = is_file, .dump = dump_file,
                               .open = reopen};
    return ops;
}

const FdKindOps& path_kind()
{
    static const FdKindOps ops{.kind = FdKind::path, .name = "path", .recognizes = is_path, .dump = dump_path,
                               .open = reopen_path};
    return ops;
}

const FdKindOps& device_kind()
{
    static const FdKindOps ops{.kind = FdKind::device, .name = "device", .recognizes = is_device,
                               .dump = dump_nothing_more, .open = reopen};
    return ops;
}

const FdKindOps& inherit_kind()
{
    static const FdKindOps ops{.kind = FdKind::inherit, .name = "inherit", .recognizes = is_socket,
                               .dump = dump_socket, .open = open_inherited};
    return ops;
}

}  // namespace stasis
