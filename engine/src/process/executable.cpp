#include "process/executable.hpp"

#include "core/error.hpp"

#include <stasis/privileged_program.hpp>

#include <sys/stat.h>

namespace stasis {

void check_restorable(const ProcessState& p)
{
    struct stat st {};
    if (::stat(p.exe.c_str(), &st) < 0) {
        throw sys_error("cannot restore process " + std::to_string(p.pid) + ": its program " + p.exe);
    }
    if (auto privileged = contract::privileged_program(p.exe)) {
        throw Error("refusing to restore " + p.exe + ": it is " + *privileged);
    }
    struct stat cwd {};
    if (::stat(p.cwd.c_str(), &cwd) < 0 || !S_ISDIR(cwd.st_mode)) {
        throw sys_error("cannot restore process " + std::to_string(p.pid) + ": its working directory " + p.cwd);
    }
}

}  // namespace stasis
