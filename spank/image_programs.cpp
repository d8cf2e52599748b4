#include "image_programs.hpp"

#include "plugin_error.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <fstream>

namespace stasis::spank {

namespace {

void check_program(const std::string& exe)
{
    struct stat st {};
    if (::stat(exe.c_str(), &st) < 0) {
        return;  // the restore itself says it is missing
    }
    if (st.st_mode & (S_ISUID | S_ISGID)) {
        throw PluginError("the checkpoint would run " + exe + ", a setuid or setgid program");
    }
    if (::getxattr(exe.c_str(), "security.capability", nullptr, 0) > 0) {
        throw PluginError("the checkpoint would run " + exe + ", a program with file capabilities");
    }
}

}  // namespace

void check_no_privileged_programs(const std::filesystem::path& generation)
{
    std::ifstream in(generation / "manifest.json");
    if (!in) {
        return;  // not committed: the agent falls back to an older generation
    }
    nlohmann::json manifest;
    try {
        in >> manifest;
        for (const auto& process : manifest.at("processes")) {
            check_program(process.at("exe").get<std::string>());
        }
    } catch (const nlohmann::json::exception& e) {
        throw PluginError("unreadable manifest in " + generation.string() + ": " + e.what());
    }
}

}  // namespace stasis::spank
