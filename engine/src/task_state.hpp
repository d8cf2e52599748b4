#pragma once
// What a checkpoint records about each process and thread: the in-memory twin
// of manifest.json (docs/image-format.md). Dump fills it, restore consumes it.
#include "image/chunk.hpp"

#include <nlohmann/json.hpp>
#include <sys/types.h>
#include <sys/user.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

inline constexpr std::uint64_t page_size = 4096;

struct SigInfoBytes {
    std::array<std::uint8_t, 128> bytes{};  // a raw siginfo_t
};

struct ThreadState {
    pid_t tid = 0;
    std::string comm;
    user_regs_struct regs{};
    std::vector<std::uint8_t> xstate;  // NT_X86_XSTATE area
    std::uint64_t sigmask = 0;
    std::uint64_t clear_child_tid = 0;
    std::uint64_t robust_list_head = 0;
    std::uint64_t robust_list_len = 0;
    std::uint64_t rseq_addr = 0;
    std::uint32_t rseq_size = 0;
    std::uint32_t rseq_sig = 0;
    std::uint64_t altstack_sp = 0;
    std::int32_t altstack_flags = 0;
    std::uint64_t altstack_size = 0;
    std::vector<SigInfoBytes> pending;
};

enum class RegionKind { anon, file, shared_file, shared_anon, vdso, vvar, vvar_vclock, vsyscall, sysv_shm };

// Memory shared through a kernel object rather than a named file: one copy
// of its data is saved, with its first mapping in the tree.
inline bool is_shared_object(RegionKind kind)
{
    return kind == RegionKind::shared_anon || kind == RegionKind::sysv_shm;
}

struct Region {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string prot;  // "rw-p" as in /proc/PID/maps
    RegionKind kind = RegionKind::anon;
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t dev = 0;
    std::uint64_t inode = 0;
    std::uint64_t file_size = 0;  // file kinds: identity of the mapped file
    std::int64_t file_mtime_ns = 0;
    std::vector<std::string> vmflags;  // smaps VmFlags mnemonics
    std::vector<image::Chunk> chunks;

    [[nodiscard]] int prot_bits() const;
    [[nodiscard]] bool has_flag(const std::string& flag) const;
    [[nodiscard]] std::uint64_t size() const { return end - start; }
};

enum class FdKind { file, device, inherit, pipe, eventfd, signalfd, timerfd, epoll, terminal };

struct FdState {
    int fd = -1;
    FdKind kind = FdKind::file;
    std::string path;
    int flags = 0;
    std::int64_t pos = 0;
    // Fds (of any process of the tree) with the same number share one open
    // file description, and so one offset.
    int description = -1;
    // State of an eventfd, signalfd, timerfd or epoll (see anon_inode_fds.hpp),
    // or the TerminalState of a terminal.
    nlohmann::json detail;
};

// A terminal the tree held, as the detail of each of its fds (kind
// `terminal`): which one of the tree's terminals it is, whose controlling
// terminal it was, and its settings (dump_terminal.hpp, restore_terminal.hpp).
struct TerminalState {
    int id = -1;               // the same for every fd of the tree on this terminal
    std::string type;          // "pty" (a pty slave), "tty" (a console or serial line), "console"
    std::uint64_t device = 0;  // its device number at checkpoint time
    pid_t session = 0;         // the session it was the controlling terminal of; 0: none in the tree
    pid_t foreground = 0;      // that session's foreground process group; 0: none in the tree
    // termios
    std::uint32_t iflag = 0, oflag = 0, cflag = 0, lflag = 0;
    std::uint8_t line = 0;
    std::vector<std::uint8_t> cc;
    std::uint32_t ispeed = 0, ospeed = 0;
    // window size
    std::uint16_t rows = 0, cols = 0, xpixel = 0, ypixel = 0;
};

struct SigAction {
    int sig = 0;
    std::uint64_t handler = 0;
    std::uint64_t flags = 0;
    std::uint64_t restorer = 0;
    std::uint64_t mask = 0;
};

// The fields prctl(PR_SET_MM_MAP) takes, plus the auxiliary vector.
struct MmState {
    std::uint64_t start_code = 0, end_code = 0, start_data = 0, end_data = 0;
    std::uint64_t start_brk = 0, brk = 0, start_stack = 0;
    std::uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
    std::vector<std::uint64_t> auxv;
};

// A SysV shared memory segment (its id is the inode of its mappings).
struct SysvSegment {
    int shmid = 0;
    std::int32_t key = 0;
    std::uint64_t size = 0;
    std::uint32_t mode = 0;
};

struct ProcessState {
    pid_t pid = 0, ppid = 0, pgid = 0, sid = 0;
    bool zombie = false;  // exited, not yet reaped: only wait_status is kept
    int wait_status = 0;
    std::string exe;
    std::string comm;
    std::string cwd;
    std::uint32_t umask = 022;
    std::vector<std::array<std::uint64_t, 2>> rlimits;
    MmState mm;
    std::vector<SigAction> sigactions;
    std::vector<SigInfoBytes> shared_pending;
    std::vector<ThreadState> threads;  // threads[0] is the thread-group leader
    std::vector<Region> regions;
    std::vector<FdState> fds;
    std::vector<SysvSegment> sysv_segments;  // those this process has attached
};

// A pipe or FIFO with both ends inside the tree, and the bytes that were
// written to it but not yet read.
struct PipeState {
    std::string key;  // the fds' link target: "pipe:[N]", or a named FIFO's path
    int capacity = 0;
    std::vector<std::uint8_t> data;
};

struct CpuState {
    std::uint64_t xcr0 = 0;
    std::uint64_t xsave_size = 0;
};

struct Checkpoint {
    std::string host, kernel, time;
    CpuState cpu;
    pid_t root_pid = 0;
    std::vector<std::string> data_files;
    std::vector<ProcessState> processes;
    std::vector<PipeState> pipes;
};

void to_json(nlohmann::json& j, const TerminalState& t);
void from_json(const nlohmann::json& j, TerminalState& t);

void to_json(nlohmann::json& j, const Checkpoint& c);
void from_json(const nlohmann::json& j, Checkpoint& c);

std::string region_kind_name(RegionKind kind);

}  // namespace stasis
