#pragma once
// Readers for the /proc files that describe a process.
#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <string>
#include <vector>

namespace stasis::proc {

std::string read_text(const std::string& path);  // whole file; throws Error
// A file of NUL-terminated strings (cmdline, environ), one element each.
std::vector<std::string> read_nul_separated(const std::string& path);
std::string read_link(const std::string& path);  // throws Error
// A process's or thread's name from its comm file, without the newline (and
// trailing blanks) the kernel ends it with. Throws Error.
std::string read_comm(const std::string& path);

// The entries of a /proc directory whose names are numbers (pids, tids,
// fds), ascending. Throws Error when the directory cannot be listed.
std::vector<long> numbered_entries(const std::string& dir);

std::vector<pid_t> threads(pid_t pid);  // leader first
// The children that thread tid of process pid created (task/TID/children).
std::vector<pid_t> thread_children(pid_t pid, pid_t tid);

// A process, none of `except`, holding an fd whose link is `link` ("pipe:[N]",
// "socket:[N]"); 0 when no process visible to stasis holds one (another
// user's fds are not visible).
pid_t find_fd_holder(const std::string& link, const std::vector<pid_t>& except);

// The value of the "Key:\tvalue" line for key in text such as
// /proc/PID/status or an fdinfo, trimmed; "" if there is none.
std::string key_value(std::string_view text, std::string_view key);

// key_value of /proc/PID/status, or of /proc/PID/task/TID/status.
std::string status_field(pid_t pid, const std::string& key);
std::string status_field(pid_t pid, pid_t tid, const std::string& key);

// text as an unsigned number in base (the whole of it); throws an Error
// naming what when it is not one.
std::uint64_t parse_number(const std::string& text, int base, const std::string& what);

// The last id of an "NSpid:"-style value: the one in the innermost PID
// namespace, as the process sees it itself; 0 when there is none.
pid_t innermost_id(const std::string& value);

// Fields of /proc/PID/stat that stasis reads, numbered as in proc(5).
enum class StatField : int {
    ppid = 4,
    pgrp = 5,
    session = 6,
    tty_nr = 7,
    tpgid = 8,
    start_code = 26,
    end_code = 27,
    start_stack = 28,
    start_data = 45,
    end_data = 46,
    start_brk = 47,
    arg_start = 48,
    arg_end = 49,
    env_start = 50,
    env_end = 51,
    exit_code = 52,
};

class Stat {
public:
    explicit Stat(pid_t pid);
    // Parses the text of a stat file (the comm may hold spaces and ')').
    static Stat parse(const std::string& text);
    // Of one thread of pid: /proc/PID/task/TID/stat.
    static Stat of_task(pid_t pid, pid_t tid);
    [[nodiscard]] std::uint64_t field(StatField which) const;
    // Field 3: R, S, D, T (stopped by job control), t (tracing stop), Z, ...
    [[nodiscard]] char state() const;

private:
    Stat() = default;
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
// /proc/PID/maps: the same entries without VmFlags, and without the walk of
// every page table that smaps makes for its sizes (~10 ms per GiB).
std::vector<MapEntry> maps(pid_t pid);
std::vector<MapEntry> parse_smaps(const std::string& text);

}  // namespace stasis::proc
