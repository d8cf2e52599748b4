#include "core/proc.hpp"

#include "core/error.hpp"

#include <dirent.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <fstream>
#include <sstream>

namespace stasis::proc {

std::string read_text(const std::string& path)
{
    std::ifstream in(path);
    if (!in) {
        throw sys_error("cannot read " + path);
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string read_comm(const std::string& path)
{
    auto name = read_text(path);
    name.erase(name.find_last_not_of(" \n") + 1);
    return name;
}

std::vector<std::string> read_nul_separated(const std::string& path)
{
    auto text = read_text(path);
    std::vector<std::string> items;
    for (std::size_t begin = 0; begin < text.size();) {
        auto end = text.find('\0', begin);
        if (end == std::string::npos) {
            end = text.size();
        }
        items.push_back(text.substr(begin, end - begin));
        begin = end + 1;
    }
    return items;
}

std::string read_link(const std::string& path)
{
    char buf[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf) - 1);
    if (n < 0) {
        throw sys_error("cannot read link " + path);
    }
    return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<long> numbered_entries(const std::string& dir)
{
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        throw sys_error("cannot list " + dir);
    }
    std::vector<long> numbers;
    while (dirent* e = ::readdir(d)) {
        if (std::isdigit(static_cast<unsigned char>(e->d_name[0]))) {
            numbers.push_back(std::stol(e->d_name));
        }
    }
    ::closedir(d);
    std::sort(numbers.begin(), numbers.end());
    return numbers;
}

std::vector<pid_t> threads(pid_t pid)
{
    std::vector<pid_t> tids;
    for (long tid : numbered_entries("/proc/" + std::to_string(pid) + "/task")) {
        tids.push_back(static_cast<pid_t>(tid));
    }
    std::sort(tids.begin(), tids.end(), [pid](pid_t a, pid_t b) {
        return (a == pid) != (b == pid) ? a == pid : a < b;
    });
    return tids;
}

std::vector<pid_t> thread_children(pid_t pid, pid_t tid)
{
    std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/children"));
    std::vector<pid_t> children;
    pid_t child = 0;
    while (in >> child) {
        children.push_back(child);
    }
    return children;
}

namespace {

bool holds_fd_to(pid_t pid, const std::string& link)
{
    std::string dir = "/proc/" + std::to_string(pid) + "/fd/";
    std::vector<long> fds;
    try {
        fds = numbered_entries(dir);
    } catch (const Error&) {
        return false;  // gone, or another user's: invisible either way
    }
    for (long fd : fds) {
        char target[64];
        ssize_t n = ::readlink((dir + std::to_string(fd)).c_str(), target, sizeof(target));
        if (n == static_cast<ssize_t>(link.size()) && link.compare(0, link.size(), target, n) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

pid_t find_fd_holder(const std::string& link, const std::vector<pid_t>& except)
{
    for (long pid : numbered_entries("/proc")) {
        bool excepted = std::find(except.begin(), except.end(), pid) != except.end();
        if (!excepted && holds_fd_to(static_cast<pid_t>(pid), link)) {
            return static_cast<pid_t>(pid);
        }
    }
    return 0;
}

std::string key_value(std::string_view text, std::string_view key)
{
    for (std::size_t at = 0; at < text.size();) {
        auto end = text.find('\n', at);
        auto line = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ':') {
            auto value = line.substr(key.size() + 1);
            auto first = value.find_first_not_of(" \t");
            if (first == std::string_view::npos) {
                return "";
            }
            value.remove_prefix(first);
            value.remove_suffix(value.size() - 1 - value.find_last_not_of(" \t"));
            return std::string(value);
        }
        if (end == std::string_view::npos) {
            break;
        }
        at = end + 1;
    }
    return "";
}

std::string status_field(pid_t pid, const std::string& key)
{
    return key_value(read_text("/proc/" + std::to_string(pid) + "/status"), key);
}

std::string status_field(pid_t pid, pid_t tid, const std::string& key)
{
    return key_value(read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/status"), key);
}

std::uint64_t parse_number(const std::string& text, int base, const std::string& what)
{
    std::size_t used = 0;
    std::uint64_t value = 0;
    try {
        value = std::stoull(text, &used, base);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size()) {
        throw Error(what + " is not a number: \"" + text + "\"");
    }
    return value;
}

pid_t innermost_id(const std::string& value)
{
    std::istringstream values(value);
    pid_t id = 0, last = 0;
    while (values >> id) {
        last = id;
    }
    return last;
}

Stat::Stat(pid_t pid) : Stat(parse(read_text("/proc/" + std::to_string(pid) + "/stat"))) {}

Stat Stat::parse(const std::string& text)
{
    // The comm may hold spaces and parentheses; it ends at the last ')'.
    auto close = text.rfind(')');
    if (close == std::string::npos) {
        throw Error("cannot parse a /proc stat line");
    }
    Stat stat;
    std::istringstream in(text.substr(close + 1));
    std::string word;
    while (in >> word) {
        stat.rest_.push_back(word);
    }
    return stat;
}

Stat Stat::of_task(pid_t pid, pid_t tid)
{
    return parse(read_text("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat"));
}

char Stat::state() const
{
    if (rest_.empty() || rest_.front().empty()) {
        throw Error("/proc stat has no state");
    }
    return rest_.front().front();
}

std::uint64_t Stat::field(StatField which) const
{
    auto number = static_cast<std::size_t>(which);
    if (number - 3 >= rest_.size()) {
        throw Error("/proc stat has no field " + std::to_string(number));
    }
    return parse_number(rest_[number - 3], 10, "/proc stat field " + std::to_string(number));
}

namespace {

bool is_map_line(const std::string& line)
{
    auto dash = line.find('-');
    auto space = line.find(' ');
    return dash != std::string::npos && dash < space &&
           std::all_of(line.begin(), line.begin() + static_cast<long>(dash), ::isxdigit);
}

MapEntry parse_map_line(const std::string& line)
{
    MapEntry e;
    std::istringstream in(line);
    std::string range, devs;
    in >> range >> e.prot >> std::hex >> e.offset >> devs >> std::dec >> e.inode;
    auto dash = range.find('-');
    e.start = parse_number(range.substr(0, dash), 16, "a mapping's start");
    e.end = parse_number(range.substr(dash + 1), 16, "a mapping's end");
    auto colon = devs.find(':');
    e.dev = makedev(parse_number(devs.substr(0, colon), 16, "a mapping's device"),
                    parse_number(devs.substr(colon + 1), 16, "a mapping's device"));
    std::getline(in, e.path);
    e.path.erase(0, e.path.find_first_not_of(' '));
    return e;
}

}  // namespace

std::vector<MapEntry> smaps(pid_t pid)
{
    return parse_smaps(read_text("/proc/" + std::to_string(pid) + "/smaps"));
}

std::vector<MapEntry> maps(pid_t pid)
{
    return parse_smaps(read_text("/proc/" + std::to_string(pid) + "/maps"));
}

std::vector<MapEntry> parse_smaps(const std::string& text)
{
    std::istringstream in(text);
    std::vector<MapEntry> entries;
    std::string line;
    while (std::getline(in, line)) {
        if (is_map_line(line)) {
            entries.push_back(parse_map_line(line));
        } else if (line.rfind("VmFlags:", 0) == 0 && !entries.empty()) {
            std::istringstream flags(line.substr(8));
            std::string flag;
            while (flags >> flag) {
                entries.back().vmflags.push_back(flag);
            }
        }
    }
    return entries;
}

}  // namespace stasis::proc
