#pragma once
// Which programs an image may not run at restore: the engine's restore and
// the plugin (root, before a requeued job is pointed at an image) refuse
// the same ones.
#include <sys/stat.h>
#include <sys/xattr.h>

#include <filesystem>
#include <optional>
#include <string>

namespace stasis::contract {

// Why program would run with more than its user's privileges ("a setuid
// program", ...), or nothing. Nothing too when it cannot be looked at:
// whether it is there is for the caller to say.
inline std::optional<std::string> privileged_program(const std::filesystem::path& program)
{
    struct stat st {};
    if (::stat(program.c_str(), &st) < 0) {
        return std::nullopt;
    }
    if ((st.st_mode & S_ISUID) != 0) {
        return "a setuid program";
    }
    if ((st.st_mode & S_ISGID) != 0) {
        return "a setgid program";
    }
    // An empty capability attribute is still one: its presence counts.
    if (::getxattr(program.c_str(), "security.capability", nullptr, 0) >= 0) {
        return "a program with file capabilities";
    }
    return std::nullopt;
}

}  // namespace stasis::contract
