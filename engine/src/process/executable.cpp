#include "process/executable.hpp"

#include "core/error.hpp"

#include <sys/stat.h>
#include <sys/xattr.h>

namespace stasis {

void check_restorable(const ProcessState& p)
{
    struct stat st {};
    if (::stat(p.exe.c_str(), &st) < 0) {
        throw sys_error("cannot restore process " + std::to_string(p.pid) + ": its program " + p.exe);
    }
    if ((st.st_mode & (S_ISUID | S_ISGID)) != 0 ||
        ::getxattr(p.exe.c_str(), "security.capability", nullptr, 0) >= 0) {
        throw Error("refusing to restore " + p.exe + ": it is a setuid, setgid or file-capability program");
    }
    struct stat cwd {};
    if (::stat(p.cwd.c_str(), &cwd) < 0 || !S_ISDIR(cwd.st_mode)) {
        throw sys_error("cannot restore process " + std::to_string(p.pid) + ": its working directory " + p.cwd);
    }
}

}  // namespace stasis
