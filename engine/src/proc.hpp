#pragma once
// Readers for the /proc files that describe a process.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis::proc {

std::string read_text(const std::string& path);  // whole file; throws Error
std::string read_link(const std::string& path);  // throws Error

// The entries of a /proc directory whose names are numbers (pids, tids,
// fds), ascending. Throws Error when the directory cannot be listed.
std::vector<long> numbered_entries(const std::string& dir);

std::vector<pid_t> threads(pid_t pid);  // leader first

// One "Key:\tvalue" line of /proc/PID/status (value trimmed); "" if absent.
std::string status_field(pid_t pid, const std::string& key);

// Fields of /proc/PID/stat, numbered as in proc(5): field(1) is the pid,
// field(2) the comm, field(3) the state, and so on.
class Stat {
public:
    explicit Stat(pid_t pid);
    [[nodiscard]] std::uint64_t field(int number) const;

private:
    std::vector<std::string> rest_;  // fields 3 onwards
};

struct MapEntry {
    std::uint64_t start = 0, end = 0;
    std::string prot;  // "r-xp"
    std::uint64_t offset = 0;
    std::uint64_t dev = 0;  // makedev(major, minor)
    std::uint64_t inode = 0;
    std::string path;  // may be "", "[heap]", "/lib/...", "/dev/zero (deleted)"
    std::vector<std::string> vmflags;
};

std::vector<MapEntry> smaps(pid_t pid);

}  // namespace stasis::proc
