#pragma once
// The files beside the generations in a job's ROOT, and how LATEST is read:
// the agent writes them, and slurmstepd (root) reads the user's LATEST to
// record each committed generation, so reading it must not trust the file.
#include "stasis/generation_name.hpp"
#include "stasis/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace stasis::contract {

inline constexpr const char* latest_file = "LATEST";      // the newest committed generation's name
inline constexpr const char* finished_file = "FINISHED";  // the job ended by itself: never resume it
inline constexpr const char* lock_file = ".lock";         // held by the running agent, its pid inside
// A step of the job asked the job's agent to stop the job (a scheduler
// signalled one of the step's tasks): why, on one line. Written by
// `stasis run --step-of ROOT`, kept until the job's next run starts.
inline constexpr const char* stop_file = "STOP";
// `stasis checkpoint` asks the job's agent to checkpoint the job now and let
// it run on; the agent removes it once it has tried.
inline constexpr const char* checkpoint_file = "CHECKPOINT";
// The command line of the job's latest run (a JSON array of strings): a run
// on another node, where the scheduler put the job's script on another
// path, finds the script moved.
inline constexpr const char* command_file = "COMMAND";

// The generation LATEST names: its first whitespace-separated word, when
// that is a committed generation's name.
inline std::optional<std::string> parse_latest(std::string_view text)
{
    constexpr std::string_view space = " \t\n\v\f\r";
    auto begin = text.find_first_not_of(space);
    if (begin == std::string_view::npos) {
        return std::nullopt;
    }
    auto word = text.substr(begin, text.find_first_of(space, begin) - begin);
    if (!is_committed_generation_name(word)) {
        return std::nullopt;
    }
    return std::string(word);
}

// A file of the job's user read by root: only a regular file shorter than
// limit is read, as whoever owns ROOT may put a FIFO, a link or a huge file
// there instead. Nothing when it is not such a file.
inline std::optional<std::string> read_user_file(const std::filesystem::path& path, std::size_t limit)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::size_t>(st.st_size) >= limit) {
        return std::nullopt;
    }
    std::string text(limit, '\0');
    auto n = ::read(fd.get(), text.data(), text.size());
    if (n < 0 || static_cast<std::size_t>(n) == text.size()) {
        return std::nullopt;
    }
    text.resize(static_cast<std::size_t>(n));
    return text;
}

// ROOT/LATEST, parsed; nothing when it is missing or names nothing.
inline std::optional<std::string> read_latest(const std::filesystem::path& root)
{
    auto text = read_user_file(root / latest_file, 4096);
    if (!text) {
        return std::nullopt;
    }
    return parse_latest(*text);
}

}  // namespace stasis::contract
