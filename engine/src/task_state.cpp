#include "task_state.hpp"

#include "error.hpp"

#include <nlohmann/json.hpp>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace stasis {

namespace {

constexpr std::size_t reg_count = sizeof(user_regs_struct) / sizeof(std::uint64_t);

std::string to_hex(const std::uint8_t* data, std::size_t size)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0xf];
    }
    return out;
}

std::vector<std::uint8_t> from_hex(const std::string& hex)
{
    if (hex.size() % 2 != 0) {
        throw ImageError("manifest holds a malformed hex string");
    }
    std::vector<std::uint8_t> out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
    }
    return out;
}

constexpr std::array region_kind_names{"anon", "file",        "shared_file", "shared_anon", "vdso",
                                       "vvar", "vvar_vclock", "vsyscall",    "sysv_shm"};

RegionKind region_kind_from_name(const std::string& name)
{
    const auto* it = std::find(region_kind_names.begin(), region_kind_names.end(), name);
    if (it == region_kind_names.end()) {
        throw ImageError("manifest names an unknown region kind '" + name + "'");
    }
    return static_cast<RegionKind>(it - region_kind_names.begin());
}

constexpr std::array fd_kind_names{"file",     "device",  "inherit", "pipe",    "eventfd",
                                   "signalfd", "timerfd", "epoll",   "terminal"};

FdKind fd_kind_from_name(const std::string& name)
{
    const auto* it = std::find(fd_kind_names.begin(), fd_kind_names.end(), name);
    if (it == fd_kind_names.end()) {
        throw ImageError("manifest names an unknown fd kind '" + name + "'");
    }
    return static_cast<FdKind>(it - fd_kind_names.begin());
}

}  // namespace

std::string region_kind_name(RegionKind kind)
{
    return region_kind_names.at(static_cast<std::size_t>(kind));
}

int Region::prot_bits() const
{
    int bits = PROT_NONE;
    if (prot.size() >= 3) {
        bits |= prot[0] == 'r' ? PROT_READ : 0;
        bits |= prot[1] == 'w' ? PROT_WRITE : 0;
        bits |= prot[2] == 'x' ? PROT_EXEC : 0;
    }
    return bits;
}

bool Region::has_flag(const std::string& flag) const
{
    return std::find(vmflags.begin(), vmflags.end(), flag) != vmflags.end();
}

void to_json(nlohmann::json& j, const SigInfoBytes& s)
{
    j = to_hex(s.bytes.data(), s.bytes.size());
}

void from_json(const nlohmann::json& j, SigInfoBytes& s)
{
    auto bytes = from_hex(j.get<std::string>());
    if (bytes.size() != s.bytes.size()) {
        throw ImageError("manifest holds a siginfo of the wrong size");
    }
    std::copy(bytes.begin(), bytes.end(), s.bytes.begin());
}

void to_json(nlohmann::json& j, const ThreadState& t)
{
    std::array<std::uint64_t, reg_count> regs{};
    std::memcpy(regs.data(), &t.regs, sizeof(t.regs));
    j = {{"tid", t.tid},
         {"comm", t.comm},
         {"regs", regs},
         {"xstate", to_hex(t.xstate.data(), t.xstate.size())},
         {"sigmask", t.sigmask},
         {"clear_child_tid", t.clear_child_tid},
         {"robust_list", {{"head", t.robust_list_head}, {"len", t.robust_list_len}}},
         {"rseq", {{"addr", t.rseq_addr}, {"size", t.rseq_size}, {"sig", t.rseq_sig}}},
         {"altstack", {{"sp", t.altstack_sp}, {"flags", t.altstack_flags}, {"size", t.altstack_size}}},
         {"pending", t.pending}};
}

void from_json(const nlohmann::json& j, ThreadState& t)
{
    j.at("tid").get_to(t.tid);
    j.at("comm").get_to(t.comm);
    auto regs = j.at("regs").get<std::vector<std::uint64_t>>();
    if (regs.size() != reg_count) {
        throw ImageError("manifest holds a register set of the wrong size");
    }
    std::memcpy(&t.regs, regs.data(), sizeof(t.regs));
    t.xstate = from_hex(j.at("xstate").get<std::string>());
    j.at("sigmask").get_to(t.sigmask);
    j.at("clear_child_tid").get_to(t.clear_child_tid);
    j.at("robust_list").at("head").get_to(t.robust_list_head);
    j.at("robust_list").at("len").get_to(t.robust_list_len);
    j.at("rseq").at("addr").get_to(t.rseq_addr);
    j.at("rseq").at("size").get_to(t.rseq_size);
    j.at("rseq").at("sig").get_to(t.rseq_sig);
    j.at("altstack").at("sp").get_to(t.altstack_sp);
    j.at("altstack").at("flags").get_to(t.altstack_flags);
    j.at("altstack").at("size").get_to(t.altstack_size);
    j.at("pending").get_to(t.pending);
}

void to_json(nlohmann::json& j, const Region& r)
{
    j = {{"start", r.start},   {"end", r.end},       {"prot", r.prot},   {"kind", region_kind_name(r.kind)},
         {"path", r.path},     {"offset", r.offset}, {"dev", r.dev},     {"inode", r.inode},
         {"file_size", r.file_size}, {"file_mtime_ns", r.file_mtime_ns}, {"vmflags", r.vmflags},
         {"chunks", r.chunks}};
}

void from_json(const nlohmann::json& j, Region& r)
{
    j.at("start").get_to(r.start);
    j.at("end").get_to(r.end);
    j.at("prot").get_to(r.prot);
    r.kind = region_kind_from_name(j.at("kind").get<std::string>());
    j.at("path").get_to(r.path);
    j.at("offset").get_to(r.offset);
    j.at("dev").get_to(r.dev);
    j.at("inode").get_to(r.inode);
    j.at("file_size").get_to(r.file_size);
    j.at("file_mtime_ns").get_to(r.file_mtime_ns);
    j.at("vmflags").get_to(r.vmflags);
    j.at("chunks").get_to(r.chunks);
}

void to_json(nlohmann::json& j, const FdState& f)
{
    j = {{"fd", f.fd}, {"kind", fd_kind_names.at(static_cast<std::size_t>(f.kind))},
         {"path", f.path}, {"flags", f.flags}, {"pos", f.pos}, {"description", f.description}, {"detail", f.detail}};
}

void from_json(const nlohmann::json& j, FdState& f)
{
    j.at("fd").get_to(f.fd);
    f.kind = fd_kind_from_name(j.at("kind").get<std::string>());
    j.at("path").get_to(f.path);
    j.at("flags").get_to(f.flags);
    j.at("pos").get_to(f.pos);
    j.at("description").get_to(f.description);
    f.detail = j.at("detail");
}

void to_json(nlohmann::json& j, const TerminalState& t)
{
    j = {{"terminal", t.id},
         {"type", t.type},
         {"device", t.device},
         {"session", t.session},
         {"foreground", t.foreground},
         {"termios",
          {{"iflag", t.iflag}, {"oflag", t.oflag}, {"cflag", t.cflag}, {"lflag", t.lflag}, {"line", t.line},
           {"cc", t.cc}, {"ispeed", t.ispeed}, {"ospeed", t.ospeed}}},
         {"winsize", {{"rows", t.rows}, {"cols", t.cols}, {"xpixel", t.xpixel}, {"ypixel", t.ypixel}}}};
}

void from_json(const nlohmann::json& j, TerminalState& t)
{
    try {
        j.at("terminal").get_to(t.id);
        j.at("type").get_to(t.type);
        j.at("device").get_to(t.device);
        j.at("session").get_to(t.session);
        j.at("foreground").get_to(t.foreground);
        const auto& tio = j.at("termios");
        tio.at("iflag").get_to(t.iflag);
        tio.at("oflag").get_to(t.oflag);
        tio.at("cflag").get_to(t.cflag);
        tio.at("lflag").get_to(t.lflag);
        tio.at("line").get_to(t.line);
        tio.at("cc").get_to(t.cc);
        tio.at("ispeed").get_to(t.ispeed);
        tio.at("ospeed").get_to(t.ospeed);
        const auto& ws = j.at("winsize");
        ws.at("rows").get_to(t.rows);
        ws.at("cols").get_to(t.cols);
        ws.at("xpixel").get_to(t.xpixel);
        ws.at("ypixel").get_to(t.ypixel);
    } catch (const nlohmann::json::exception& e) {
        throw ImageError(std::string("manifest holds a malformed terminal: ") + e.what());
    }
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SigAction, sig, handler, flags, restorer, mask)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MmState, start_code, end_code, start_data, end_data, start_brk, brk,
                                   start_stack, arg_start, arg_end, env_start, env_end, auxv)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SysvSegment, shmid, key, size, mode)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ProcessState, pid, ppid, pgid, sid, zombie, wait_status, exe, comm, cwd, umask, rlimits, mm,
                                   sigactions, shared_pending, threads, regions, fds, sysv_segments)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CpuState, xcr0, xsave_size)

void to_json(nlohmann::json& j, const PipeState& p)
{
    j = {{"key", p.key}, {"capacity", p.capacity}, {"data", to_hex(p.data.data(), p.data.size())}};
}

void from_json(const nlohmann::json& j, PipeState& p)
{
    j.at("key").get_to(p.key);
    j.at("capacity").get_to(p.capacity);
    p.data = from_hex(j.at("data").get<std::string>());
}

void to_json(nlohmann::json& j, const Checkpoint& c)
{
    j = {{"format", "stasis-image"}, {"version", 1},          {"host", c.host},
         {"kernel", c.kernel},       {"time", c.time},        {"cpu", c.cpu},
         {"root_pid", c.root_pid},   {"data_files", c.data_files}, {"processes", c.processes}, {"pipes", c.pipes}};
}

void from_json(const nlohmann::json& j, Checkpoint& c)
{
    try {
        j.at("host").get_to(c.host);
        j.at("kernel").get_to(c.kernel);
        j.at("time").get_to(c.time);
        j.at("cpu").get_to(c.cpu);
        j.at("root_pid").get_to(c.root_pid);
        j.at("data_files").get_to(c.data_files);
        j.at("processes").get_to(c.processes);
        j.at("pipes").get_to(c.pipes);
    } catch (const nlohmann::json::exception& e) {
        throw ImageError(std::string("manifest is malformed: ") + e.what());
    }
}

}  // namespace stasis
