#include "relaunch_option.hpp"

#include <filesystem>

namespace stasis::cli {

void add_relaunch(CLI::App& cmd, std::vector<std::string>& programs)
{
    cmd.add_option_function<std::vector<std::string>>(
           "--relaunch",
           [&programs](const std::vector<std::string>& given) {
               for (const auto& program : given) {
                   programs.push_back(std::filesystem::weakly_canonical(program).string());
               }
           },
           "Do not checkpoint the processes running PROGRAM (an absolute path): the restore starts them anew "
           "with the same arguments, environment and fds 0-2")
        ->check(CLI::Validator(
            [](const std::string& text) {
                return text.starts_with('/') ? std::string()
                                             : "\"" + text + "\" is not an absolute path (a program, as /proc/PID/exe names it)";
            },
            "PROGRAM"))
        ->allow_extra_args(false)
        ->take_all();
}

}  // namespace stasis::cli
