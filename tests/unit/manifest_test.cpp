// The image model through its one writer and reader (image/manifest.hpp):
// everything a checkpoint holds comes back as it was, the JSON names that
// docs/image-format.md documents stay as documented, and a manifest whose
// fds do not make sense is refused.
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/kernel_abi.hpp"
#include "files/fd_kind.hpp"
#include "image/generation.hpp"
#include "image/manifest.hpp"
#include "test_support.hpp"
#include "json_mutation.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/user.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace fs = std::filesystem;
using namespace stasis;
using nlohmann::json;

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

// ---- a checkpoint in which every field holds a value of its own ----

std::vector<std::uint8_t> byte_run(std::size_t size, std::uint8_t first)
{
    std::vector<std::uint8_t> bytes(size);
    for (std::size_t i = 0; i < size; ++i) {
        bytes[i] = static_cast<std::uint8_t>(first + i * 7);
    }
    return bytes;
}

SigInfoBytes siginfo(int sig, std::uint8_t seed)
{
    SigInfoBytes info;
    const auto bytes = byte_run(info.bytes.size(), seed);
    std::copy(bytes.begin(), bytes.end(), info.bytes.begin());
    info.bytes[0] = static_cast<std::uint8_t>(sig);
    return info;
}

ThreadState thread(pid_t tid)
{
    ThreadState t;
    t.tid = tid;
    t.comm = "worker " + std::to_string(tid);
    // Full 64-bit values, the top bit set in some: JSON must keep them unsigned.
    std::array<std::uint64_t, sizeof(user_regs_struct) / sizeof(std::uint64_t)> regs{};
    for (std::size_t i = 0; i < regs.size(); ++i) {
        regs[i] = 0x9e3779b97f4a7c15ULL * (i + 1) + static_cast<std::uint64_t>(tid);
    }
    std::memcpy(&t.regs, regs.data(), sizeof(t.regs));
    t.xstate = byte_run(2696, static_cast<std::uint8_t>(tid));
    t.sigmask = signal_bit(SIGUSR1) | signal_bit(max_signal);
    t.clear_child_tid = 0x7f12a0001000 + static_cast<std::uint64_t>(tid);
    t.robust_list_head = 0x7f12a0002000;
    t.robust_list_len = 24;
    t.rseq_addr = 0x7f12a0003000;
    t.rseq_size = 32;
    t.rseq_sig = 0x53053053;
    t.altstack_sp = 0x7f12a0010000;
    t.altstack_flags = -1;
    t.altstack_size = 0x8000;
    t.pending = {siginfo(SIGUSR2, static_cast<std::uint8_t>(tid)), siginfo(SIGRTMIN + 1, 3)};
    return t;
}

image::Chunk chunk(std::uint64_t vaddr, std::uint64_t size, const std::string& file, std::uint64_t offset,
                   image::Codec codec)
{
    return {.vaddr = vaddr, .size = size, .file = file, .offset = offset, .stored_size = size / 3 + 1,
            .codec = codec, .xxh3 = 0xfedcba9876543210 ^ vaddr};
}

Region region(std::uint64_t start, std::uint64_t pages, const char* prot, RegionKind kind, const char* path)
{
    Region r;
    r.start = start;
    r.end = start + pages * page_size;
    r.prot = prot;
    r.kind = kind;
    r.path = path;
    return r;
}

// One region of every kind.
std::vector<Region> regions()
{
    Region heap = region(0x555500000000, 64, "rw-p", RegionKind::anon, "[heap]");
    heap.vmflags = {"rd", "wr", "mr", "mw", "me", "ac"};
    heap.chunks = {chunk(0x555500000000, 16 * page_size, "pages-4242-0.bin", 0, image::Codec::zstd),
                   chunk(0x555500020000, 4 * page_size, "pages-4242-1.bin", 4096, image::Codec::none)};
    Region code = region(0x400000, 11, "r-xp", RegionKind::file, "/opt/my app/bin/python3.11");
    code.offset = 0x2000;
    code.dev = 0xfd01;
    code.inode = 1234567;
    code.file_size = 5'904'312;
    code.file_mtime_ns = 1'764'000'000'123'456'789;
    code.vmflags = {"rd", "ex", "mr", "mw", "me", "sd"};
    Region mapped = region(0x7f1000000000, 8, "rw-s", RegionKind::shared_file, "/data/shared map.bin");
    mapped.inode = 42;
    mapped.file_size = 8 * page_size;
    Region shared = region(0x7f1100000000, 4, "rw-s", RegionKind::shared_anon, "/dev/zero (deleted)");
    shared.inode = 9001;
    shared.chunks = {chunk(0x7f1100000000, page_size, "pages-4242-1.bin", 8192, image::Codec::zstd)};
    Region sysv = region(0x7f1200000000, 256, "rw-s", RegionKind::sysv_shm, "SYSV51000001 (deleted)");
    sysv.inode = 32769;
    Region memfd = region(0x7f1300000000, 4, "rw-s", RegionKind::shared_unnamed_file, "/memfd:ring (deleted)");
    memfd.dev = 1;
    memfd.inode = 2077;
    Region deleted = region(0x7f1400000000, 2, "rw-p", RegionKind::unnamed_file, "/tmp/scratch.bin (deleted)");
    deleted.dev = 0xfd01;
    deleted.inode = 777;
    deleted.chunks = {chunk(0x7f1400000000, page_size, "pages-4242-1.bin", 12288, image::Codec::zstd)};
    return {heap,
            code,
            mapped,
            shared,
            sysv,
            memfd,
            deleted,
            region(0x7ffff7fc0000, 2, "r-xp", RegionKind::vdso, "[vdso]"),
            region(0x7ffff7fbc000, 4, "r--p", RegionKind::vvar, "[vvar]"),
            region(0x7ffff7fb8000, 4, "r--p", RegionKind::vvar_vclock, "[vvar_vclock]"),
            region(0xffffffffff600000, 1, "--xp", RegionKind::vsyscall, "[vsyscall]")};
}

TerminalState terminal()
{
    TerminalState t;
    t.id = 0;
    t.type = "pty";
    t.device = 34816;
    t.session = 4242;
    t.foreground = 4250;
    t.iflag = 1280;
    t.oflag = 5;
    t.cflag = 191;
    t.lflag = 35387;
    t.line = 1;
    t.cc = byte_run(32, 3);
    t.ispeed = 15;
    t.ospeed = 4098;
    t.rows = 33;
    t.cols = 111;
    t.xpixel = 999;
    t.ypixel = 65535;
    return t;
}

// The fds of the root: one of every kind, numbered so that fd N is
// root_fds()[N].
std::vector<FdState> root_fds()
{
    return {
        {.fd = 0, .kind = FdKind::inherit, .path = "pipe:[4100]", .flags = O_RDONLY, .pos = 0, .description = 0,
         .detail = {}},
        {.fd = 1, .kind = FdKind::file, .path = "/home/u/out file.txt", .flags = O_WRONLY | O_APPEND,
         .pos = 120, .description = 1, .detail = {}},
        {.fd = 2, .kind = FdKind::terminal, .path = "/dev/pts/3", .flags = O_RDWR, .pos = 0, .description = 2,
         .detail = terminal()},
        {.fd = 3, .kind = FdKind::device, .path = "/dev/null", .flags = O_RDWR, .pos = 0, .description = 3,
         .detail = {}},
        {.fd = 4, .kind = FdKind::pipe, .path = "pipe:[1234]", .flags = O_RDONLY, .pos = 0, .description = 4,
         .detail = {}},
        {.fd = 5, .kind = FdKind::pipe, .path = "pipe:[1234]", .flags = O_WRONLY | O_NONBLOCK, .pos = 0,
         .description = 5, .detail = {}},
        {.fd = 6, .kind = FdKind::eventfd, .path = "anon_inode:[eventfd]", .flags = O_RDWR | O_NONBLOCK, .pos = 0,
         .description = 6, .detail = EventFdState{.count = 0x12345678e, .semaphore = true}},
        {.fd = 7, .kind = FdKind::signalfd, .path = "anon_inode:[signalfd]", .flags = O_RDWR, .pos = 0,
         .description = 7, .detail = SignalFdState{.mask = signal_bit(SIGUSR1) | signal_bit(SIGTERM)}},
        {.fd = 8, .kind = FdKind::timerfd, .path = "anon_inode:[timerfd]", .flags = O_RDWR, .pos = 0,
         .description = 8,
         .detail = TimerFdState{.clockid = 1, .ticks = 3, .value_ns = 99'999'984'279, .interval_ns = 3'000'000'500}},
        {.fd = 9, .kind = FdKind::epoll, .path = "anon_inode:[eventpoll]", .flags = O_RDWR, .pos = 0,
         .description = 9,
         .detail = EpollState{.watches = {{.fd = 6, .events = EPOLLIN | EPOLLET | EPOLLERR | EPOLLHUP,
                                           .data = 0xdeadbeefcafe, .description = 6},
                                          {.fd = 40, .events = EPOLLOUT | EPOLLERR | EPOLLHUP, .data = u64_max,
                                           .description = 8}}}},
        {.fd = 10, .kind = FdKind::unnamed_file, .path = "/memfd:ring (deleted)", .flags = O_RDWR, .pos = 4096,
         .description = 10, .detail = UnnamedFileRef{.dev = 1, .inode = 2077}},
        {.fd = 11, .kind = FdKind::inotify, .path = "anon_inode:inotify", .flags = O_RDONLY | O_NONBLOCK, .pos = 0,
         .description = 11,
         .detail = InotifyState{.watches = {{.wd = 1, .mask = 0x84000300, .path = "/home/u/run 1/watched"},
                                            {.wd = 7, .mask = 0xfff, .path = "/home/u/a file"}}}},
        {.fd = 12, .kind = FdKind::unix_socket, .path = "socket:[81234]", .flags = O_RDWR | O_NONBLOCK, .pos = 0,
         .description = 12, .detail = {}},
        {.fd = 13, .kind = FdKind::path, .path = "/home/u/a link", .flags = O_PATH | O_NOFOLLOW, .pos = 0,
         .description = 13, .detail = {}},
        {.fd = 14, .kind = FdKind::pty_master, .path = "/dev/ptmx", .flags = O_RDWR | O_NONBLOCK, .pos = 0,
         .description = 14,
         .detail = PtyMasterState{.slave = terminal(), .index = 5, .packet = true, .locked = true,
                                  .to_master = {0x61, 0x0d, 0x0a}, .to_slave = byte_run(300, 7)}},
        {.fd = 15, .kind = FdKind::inet_socket, .path = "socket:[91230]", .flags = O_RDWR, .pos = 0,
         .description = 15, .detail = {}},
        {.fd = 16, .kind = FdKind::own_proc_file, .path = "/proc/4242/timers", .flags = O_RDONLY, .pos = 120,
         .description = 16, .detail = {}},
    };
}

ProcessState root()
{
    ProcessState p;
    p.pid = 4242;
    p.ppid = 4100;
    p.pgid = 4242;
    p.sid = 4100;
    p.exe = "/opt/my app/bin/python3.11";
    p.comm = "python3";
    p.cwd = "/home/u/run 1";
    p.umask = 027;
    for (std::uint64_t i = 0; i < 16; ++i) {
        p.rlimits.push_back({(i + 1) * 4096, i % 2 == 0 ? u64_max : (i + 1) * 8192});
    }
    p.mm = {.start_code = 0x400000, .end_code = 0x40b000, .start_data = 0x60c000, .end_data = 0x60d000,
            .start_brk = 0x555500000000, .brk = 0x555500040000, .start_stack = 0x7ffffffde000,
            .arg_start = 0x7ffffffde100, .arg_end = 0x7ffffffde180, .env_start = 0x7ffffffde180,
            .env_end = 0x7ffffffdefe0, .auxv = {3, 0x400040, 9, 0x401000, 25, 0x7ffffffde200, 0, 0}};
    p.sigactions = {{.sig = SIGINT, .handler = 0x401234, .flags = 0x14000004, .restorer = 0x7f12a0100000,
                     .mask = signal_bit(SIGTERM)},
                    {.sig = SIGCHLD, .handler = 1, .flags = 0, .restorer = 0, .mask = 0}};
    p.shared_pending = {siginfo(SIGTERM, 0xf0)};
    p.threads = {thread(4242), thread(4243)};
    p.regions = regions();
    p.fds = root_fds();
    p.sysv_segments = {{.shmid = 32769, .key = -559038737, .size = 256 * page_size, .mode = 0600}};
    p.timers.posix = {{.id = 0, .clock = CLOCK_REALTIME, .clock_thread = -1, .notify = SIGEV_SIGNAL,
                       .target_thread = -1, .signal = SIGRTMIN, .sigev_value = u64_max, .value_ns = 19'999'999,
                       .interval_ns = 20'000'000},
                      {.id = 2, .clock = -2, .clock_thread = 1, .notify = SIGEV_SIGNAL | SIGEV_THREAD_ID,
                       .target_thread = 1, .signal = SIGRTMIN + 3, .sigev_value = 3, .value_ns = 0,
                       .interval_ns = 0}};
    p.timers.itimers = {{.which = 0, .value_us = 999'999'998, .interval_us = 0},
                        {.which = 2, .value_us = 24'000, .interval_us = 25'000}};
    return p;
}

// A child sharing the root's terminal and output file, and holding the
// pipe's write end too.
ProcessState child()
{
    ProcessState p;
    p.pid = 4250;
    p.ppid = 4242;
    p.pgid = 4250;
    p.sid = 4100;
    p.exe = "/usr/bin/cat";
    p.comm = "cat";
    p.cwd = "/";
    p.stopped_by = SIGTSTP;
    p.threads = {thread(4250)};
    p.regions = {region(0x7f2000000000, 1, "rw-p", RegionKind::anon, "")};
    const auto fds = root_fds();
    p.fds = {fds[2], fds[1], fds[5]};
    p.fds[0].fd = 0;
    p.fds[2].fd = 7;
    return p;
}

ProcessState zombie()
{
    ProcessState p;
    p.pid = 4251;
    p.ppid = 4242;
    p.zombie = true;
    p.wait_status = 0x0100;  // exit(1)
    return p;
}

Checkpoint sample()
{
    Checkpoint c;
    c.host = "node01";
    c.kernel = "6.18.44";
    c.time = "2026-11-25T15:00:00Z";
    c.cpu = {.xcr0 = 743, .xsave_size = 2696, .features = std::vector<std::string>{"sse2", "avx2", "avx512f"}};
    c.vdso = VdsoLayout{.size = 8192, .xxh3 = 0xfedcba9876543210, .symbols = {{"__vdso_time", 0xa20}}};
    c.root_pid = 4242;
    c.data_files = {"pages-4242-0.bin", "pages-4242-1.bin", "output-1-0.bin", "file-0-0.bin"};
    c.processes = {root(), child(), zombie()};
    std::vector<std::uint8_t> unread(300);
    for (std::size_t i = 0; i < unread.size(); ++i) {
        unread[i] = static_cast<std::uint8_t>(255 - i % 256);  // every byte value, 0 and 0xff among them
    }
    c.pipes = {{.key = "pipe:[1234]", .capacity = 65536, .data = unread, .outside = false},
               {.key = "/tmp/a fifo", .capacity = 4096, .data = {}, .outside = true}};
    c.unix_sockets.resize(3);
    auto& listener = c.unix_sockets[0];
    listener.inode = 81234;
    listener.type = SOCK_STREAM;
    listener.name = "/tmp/job/server";
    listener.mode = 0755;
    listener.listening = true;
    listener.backlog = 4;
    listener.pending = {81240};
    listener.options.pass_credentials = true;
    listener.options.receive_timeout_us = 1'500'000;
    auto& datagram = c.unix_sockets[1];
    datagram.inode = 81235;
    datagram.type = SOCK_DGRAM;
    datagram.name = name_to_text(std::string("\0job\xff", 5));
    datagram.peer = 81236;
    datagram.shutdown = 1;
    datagram.queue = {{.data = unread, .source = "/tmp/job/client"}, {.data = {}, .source = ""}};
    auto& accepted = c.unix_sockets[2];
    accepted.inode = 81236;
    accepted.type = SOCK_SEQPACKET;
    accepted.peer_closed = true;
    accepted.accepted_from = 81234;
    c.inet_sockets.resize(2);
    auto& server = c.inet_sockets[0];
    server.inode = 91230;
    server.family = AF_INET6;
    server.type = SOCK_STREAM;
    server.local = "[::1]:5000";
    server.peer = "[::1]:40112";
    server.peer_socket = 91234;
    server.accepted = true;
    server.options.no_delay = true;
    server.options.v6_only = true;
    server.options.receive_buffer = 65536;
    server.queue = {{.data = unread, .source = ""}};
    auto& udp = c.inet_sockets[1];
    udp.inode = 91240;
    udp.family = AF_INET;
    udp.type = SOCK_DGRAM;
    udp.local = "127.0.0.1:53";
    udp.options.reuse_address = true;
    udp.queue = {{.data = {}, .source = "127.0.0.1:40000"}};
    c.kept_output = {{.path = "/home/u/slurm-42.out",
                      .size = 1834,
                      .chunks = {chunk(0, 1834, "output-1-0.bin", 0, image::Codec::zstd)}}};
    c.unnamed_files = {{.dev = 1,
                        .inode = 2077,
                        .path = "/memfd:ring",
                        .memfd = true,
                        .mode = 0777,
                        .seals = 0x6,
                        .size = 4 * page_size,
                        .whole = true,
                        .chunks = {chunk(page_size, page_size, "file-0-0.bin", 0, image::Codec::zstd)}},
                       {.dev = 0xfd01,
                        .inode = 777,
                        .path = "/tmp/scratch.bin",
                        .memfd = false,
                        .mode = 0600,
                        .seals = 0,
                        .size = 2 * page_size,
                        .whole = false,
                        .chunks = {}}};
    return c;
}

// ---- field by field comparison ----

void same(const image::Chunk& a, const image::Chunk& b);
void same(const SigInfoBytes& a, const SigInfoBytes& b);
void same(const SigAction& a, const SigAction& b);
void same(const ThreadState& a, const ThreadState& b);
void same(const Region& a, const Region& b);
void same(const TerminalState& a, const TerminalState& b);
void same(const EventFdState& a, const EventFdState& b);
void same(const SignalFdState& a, const SignalFdState& b);
void same(const TimerFdState& a, const TimerFdState& b);
void same(const EpollWatch& a, const EpollWatch& b);
void same(const EpollState& a, const EpollState& b);
void same(const FdDetail& a, const FdDetail& b);
void same(const FdState& a, const FdState& b);
void same(const SysvSegment& a, const SysvSegment& b);
void same(const InotifyWatch& a, const InotifyWatch& b);
void same(const InotifyState& a, const InotifyState& b);
void same(const PtyMasterState& a, const PtyMasterState& b);
void same(const PosixTimer& a, const PosixTimer& b);
void same(const IntervalTimer& a, const IntervalTimer& b);
void same(const ProcessState& a, const ProcessState& b);
void same(const PipeState& a, const PipeState& b);
void same(const KeptFile& a, const KeptFile& b);
void same(const UnnamedFileRef& a, const UnnamedFileRef& b);
void same(const UnnamedFile& a, const UnnamedFile& b);
void same(const SocketMessage& a, const SocketMessage& b);
void same(const UnixSocketState& a, const UnixSocketState& b);
void same(const InetSocketState& a, const InetSocketState& b);
void same(const Checkpoint& a, const Checkpoint& b);

template <class T>
void same(const std::vector<T>& a, const std::vector<T>& b)
{
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        CAPTURE(i);
        same(a[i], b[i]);
    }
}

// Both a and b are in scope wherever it is used.
#define SAME(member) CHECK(a.member == b.member)

void same(const image::Chunk& a, const image::Chunk& b)
{
    SAME(vaddr);
    SAME(size);
    SAME(file);
    SAME(offset);
    SAME(stored_size);
    SAME(codec);
    SAME(xxh3);
}

void same(const SigInfoBytes& a, const SigInfoBytes& b)
{
    CHECK(std::memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size()) == 0);
}

void same(const SigAction& a, const SigAction& b)
{
    SAME(sig);
    SAME(handler);
    SAME(flags);
    SAME(restorer);
    SAME(mask);
}

void same(const ThreadState& a, const ThreadState& b)
{
    SAME(tid);
    SAME(comm);
    CHECK(std::memcmp(&a.regs, &b.regs, sizeof(a.regs)) == 0);
    SAME(xstate);
    SAME(sigmask);
    SAME(clear_child_tid);
    SAME(robust_list_head);
    SAME(robust_list_len);
    SAME(rseq_addr);
    SAME(rseq_size);
    SAME(rseq_sig);
    SAME(altstack_sp);
    SAME(altstack_flags);
    SAME(altstack_size);
    same(a.pending, b.pending);
}

void same(const Region& a, const Region& b)
{
    SAME(start);
    SAME(end);
    SAME(prot);
    SAME(kind);
    SAME(path);
    SAME(offset);
    SAME(dev);
    SAME(inode);
    SAME(file_size);
    SAME(file_mtime_ns);
    SAME(vmflags);
    same(a.chunks, b.chunks);
}

void same(const TerminalState& a, const TerminalState& b)
{
    SAME(id);
    SAME(type);
    SAME(device);
    SAME(session);
    SAME(foreground);
    SAME(iflag);
    SAME(oflag);
    SAME(cflag);
    SAME(lflag);
    SAME(line);
    SAME(cc);
    SAME(ispeed);
    SAME(ospeed);
    SAME(rows);
    SAME(cols);
    SAME(xpixel);
    SAME(ypixel);
}

void same(const EventFdState& a, const EventFdState& b)
{
    SAME(count);
    SAME(semaphore);
}

void same(const SignalFdState& a, const SignalFdState& b)
{
    SAME(mask);
}

void same(const TimerFdState& a, const TimerFdState& b)
{
    SAME(clockid);
    SAME(ticks);
    SAME(value_ns);
    SAME(interval_ns);
}

void same(const EpollWatch& a, const EpollWatch& b)
{
    SAME(fd);
    SAME(events);
    SAME(data);
    SAME(description);
}

void same(const EpollState& a, const EpollState& b)
{
    same(a.watches, b.watches);
}

void same(const InotifyWatch& a, const InotifyWatch& b)
{
    SAME(wd);
    SAME(mask);
    SAME(path);
}

void same(const InotifyState& a, const InotifyState& b)
{
    same(a.watches, b.watches);
}

void same(const PtyMasterState& a, const PtyMasterState& b)
{
    same(a.slave, b.slave);
    SAME(index);
    SAME(packet);
    SAME(locked);
    SAME(to_master);
    SAME(to_slave);
}

void same(const PosixTimer& a, const PosixTimer& b)
{
    SAME(id);
    SAME(clock);
    SAME(clock_thread);
    SAME(notify);
    SAME(target_thread);
    SAME(signal);
    SAME(sigev_value);
    SAME(value_ns);
    SAME(interval_ns);
}

void same(const IntervalTimer& a, const IntervalTimer& b)
{
    SAME(which);
    SAME(value_us);
    SAME(interval_us);
}

void same(const FdDetail& a, const FdDetail& b)
{
    REQUIRE(a.index() == b.index());
    std::visit(
        [&b](const auto& detail) {
            using T = std::decay_t<decltype(detail)>;
            if constexpr (!std::is_same_v<T, std::monostate>) {
                same(detail, std::get<T>(b));
            }
        },
        a);
}

void same(const FdState& a, const FdState& b)
{
    SAME(fd);
    SAME(kind);
    SAME(path);
    SAME(flags);
    SAME(pos);
    SAME(description);
    same(a.detail, b.detail);
}

void same(const SysvSegment& a, const SysvSegment& b)
{
    SAME(shmid);
    SAME(key);
    SAME(size);
    SAME(mode);
}

void same(const ProcessState& a, const ProcessState& b)
{
    SAME(pid);
    SAME(ppid);
    SAME(pgid);
    SAME(sid);
    SAME(zombie);
    SAME(wait_status);
    SAME(stopped_by);
    SAME(exe);
    SAME(comm);
    SAME(cwd);
    SAME(umask);
    SAME(rlimits);
    SAME(mm.start_code);
    SAME(mm.end_code);
    SAME(mm.start_data);
    SAME(mm.end_data);
    SAME(mm.start_brk);
    SAME(mm.brk);
    SAME(mm.start_stack);
    SAME(mm.arg_start);
    SAME(mm.arg_end);
    SAME(mm.env_start);
    SAME(mm.env_end);
    SAME(mm.auxv);
    same(a.sigactions, b.sigactions);
    same(a.shared_pending, b.shared_pending);
    same(a.threads, b.threads);
    same(a.regions, b.regions);
    same(a.fds, b.fds);
    same(a.sysv_segments, b.sysv_segments);
    same(a.timers.posix, b.timers.posix);
    same(a.timers.itimers, b.timers.itimers);
}

void same(const PipeState& a, const PipeState& b)
{
    SAME(key);
    SAME(capacity);
    SAME(data);
    SAME(outside);
}

void same(const KeptFile& a, const KeptFile& b)
{
    SAME(path);
    SAME(size);
    same(a.chunks, b.chunks);
}

void same(const UnnamedFileRef& a, const UnnamedFileRef& b)
{
    SAME(dev);
    SAME(inode);
}

void same(const UnnamedFile& a, const UnnamedFile& b)
{
    SAME(dev);
    SAME(inode);
    SAME(path);
    SAME(memfd);
    SAME(mode);
    SAME(seals);
    SAME(size);
    SAME(whole);
    same(a.chunks, b.chunks);
}

void same(const SocketMessage& a, const SocketMessage& b)
{
    SAME(data);
    SAME(source);
}

void same(const UnixSocketState& a, const UnixSocketState& b)
{
    SAME(inode);
    SAME(type);
    SAME(name);
    SAME(mode);
    SAME(listening);
    SAME(backlog);
    SAME(pending);
    SAME(peer);
    SAME(peer_closed);
    SAME(accepted_from);
    SAME(shutdown);
    SAME(options.send_buffer);
    SAME(options.receive_buffer);
    SAME(options.pass_credentials);
    SAME(options.peek_offset);
    SAME(options.receive_low_water);
    SAME(options.receive_timeout_us);
    SAME(options.send_timeout_us);
    same(a.queue, b.queue);
}

void same(const InetSocketState& a, const InetSocketState& b)
{
    SAME(inode);
    SAME(family);
    SAME(type);
    SAME(local);
    SAME(peer);
    SAME(listening);
    SAME(backlog);
    SAME(peer_socket);
    SAME(accepted);
    SAME(options.reuse_address);
    SAME(options.reuse_port);
    SAME(options.keep_alive);
    SAME(options.send_buffer);
    SAME(options.receive_buffer);
    SAME(options.no_delay);
    SAME(options.v6_only);
    same(a.queue, b.queue);
}

void same(const Checkpoint& a, const Checkpoint& b)
{
    SAME(host);
    SAME(kernel);
    SAME(time);
    SAME(cpu.xcr0);
    SAME(cpu.xsave_size);
    SAME(cpu.features);
    CHECK(a.vdso.has_value() == b.vdso.has_value());
    if (a.vdso && b.vdso) {
        SAME(vdso->size);
        SAME(vdso->xxh3);
        SAME(vdso->symbols);
    }
    SAME(root_pid);
    SAME(data_files);
    same(a.processes, b.processes);
    same(a.pipes, b.pipes);
    same(a.unix_sockets, b.unix_sockets);
    same(a.inet_sockets, b.inet_sockets);
    same(a.kept_output, b.kept_output);
    same(a.unnamed_files, b.unnamed_files);
}

#undef SAME

// ---- images on disk ----

fs::path commit(const fs::path& dir, const Checkpoint& checkpoint)
{
    image::GenerationWriter generation(dir);
    image::commit_checkpoint(generation, checkpoint);
    return dir;
}

// A manifest written as it stands, with a correct checksum.
fs::path commit(const fs::path& dir, const json& manifest)
{
    image::GenerationWriter generation(dir);
    generation.commit(manifest);
    return dir;
}

json manifest_of(const fs::path& dir)
{
    std::ifstream in(dir / "manifest.json");
    REQUIRE(in);
    return json::parse(in);
}

// An object's member names, sorted: "a b c".
std::string members(const json& object)
{
    std::string names;
    for (const auto& [name, value] : object.items()) {
        names += (names.empty() ? "" : " ") + name;
    }
    return names;
}

// The root's fd entry with number fd, of a const or a mutable manifest.
template <class Json>
Json& root_fd(Json& manifest, int fd)
{
    Json& fds = manifest.at("processes").at(0).at("fds");
    const auto entry = std::find_if(fds.begin(), fds.end(), [fd](const json& e) { return e.at("fd") == fd; });
    REQUIRE(entry != fds.end());
    return *entry;
}

}  // namespace

TEST_CASE("the sample holds one fd of every registered kind")
{
    // A kind added to the registry without extending this test fails here.
    const auto fds = root_fds();
    for (const FdKindOps* kind : fd_kinds()) {
        CAPTURE(kind->name);
        CHECK(std::any_of(fds.begin(), fds.end(), [kind](const FdState& f) { return f.kind == kind->kind; }));
    }
}

TEST_CASE("a checkpoint comes back from its manifest as it was written")
{
    test::TempDir tmp;
    const Checkpoint written = sample();
    const fs::path dir = commit(tmp.path() / "img", written);
    const Checkpoint read = image::read_checkpoint(dir);
    same(written, read);

    // Written again, the model gives the very same manifest: no member is
    // lost or changed on the way, compared or not.
    const fs::path again = commit(tmp.path() / "again", read);
    CHECK(manifest_of(again) == manifest_of(dir));
}

TEST_CASE("the manifest's JSON names are those docs/image-format.md documents")
{
    test::TempDir tmp;
    json m = manifest_of(commit(tmp.path() / "img", sample()));

    const char* kinds[] = {"inherit", "file",    "terminal", "device", "pipe",         "pipe",    "eventfd",
                           "signalfd", "timerfd", "epoll",    "unnamed_file", "inotify", "unix_socket", "path", "pty_master",
                           "inet_socket", "own_proc_file"};
    for (int fd = 0; fd < static_cast<int>(std::size(kinds)); ++fd) {
        CAPTURE(fd);
        const json& entry = root_fd(m, fd);
        CHECK(entry.at("kind") == kinds[fd]);
        for (const char* member : {"fd", "kind", "path", "flags", "pos"}) {
            CAPTURE(member);
            CHECK(entry.contains(member));
        }
    }

    const json& eventfd = root_fd(m, 6).at("detail");
    CHECK(members(eventfd) == "count semaphore");
    CHECK(eventfd.at("count") == 0x12345678e);
    CHECK(eventfd.at("semaphore") == true);

    const json& signalfd = root_fd(m, 7).at("detail");
    CHECK(members(signalfd) == "mask");
    CHECK(signalfd.at("mask") == (signal_bit(SIGUSR1) | signal_bit(SIGTERM)));

    const json& timerfd = root_fd(m, 8).at("detail");
    CHECK(members(timerfd) == "clockid interval_ns ticks value_ns");
    CHECK(timerfd.at("value_ns") == 99'999'984'279);

    const json& epoll = root_fd(m, 9).at("detail");
    CHECK(members(epoll) == "watches");
    REQUIRE(epoll.at("watches").size() == 2);
    CHECK(members(epoll.at("watches")[0]) == "data description events fd");
    CHECK(epoll.at("watches")[0].at("fd") == 6);
    CHECK(epoll.at("watches")[1].at("description") == 8);
    CHECK(epoll.at("watches")[1].at("data") == u64_max);

    const json& inotify = root_fd(m, 11).at("detail");
    CHECK(root_fd(m, 11).at("kind") == "inotify");
    CHECK(members(inotify) == "watches");
    REQUIRE(inotify.at("watches").size() == 2);
    CHECK(members(inotify.at("watches")[0]) == "mask path wd");
    CHECK(inotify.at("watches")[1].at("wd") == 7);

    const json& timers = m.at("processes").at(0).at("timers");
    CHECK(members(timers) == "itimers posix");
    CHECK(members(timers.at("posix").at(0)) ==
          "clock clock_thread id interval_ns notify sigev_value signal target_thread value_ns");
    CHECK(timers.at("posix").at(0).at("sigev_value") == u64_max);
    CHECK(timers.at("posix").at(1).at("clock") == -2);
    CHECK(members(timers.at("itimers").at(0)) == "interval_us value_us which");

    const json& terminal = root_fd(m, 2).at("detail");
    CHECK(members(terminal) == "device foreground session terminal termios type winsize");
    CHECK(terminal.at("terminal") == 0);
    CHECK(terminal.at("type") == "pty");
    CHECK(members(terminal.at("termios")) == "cc cflag iflag ispeed lflag line oflag ospeed");
    CHECK(terminal.at("termios").at("cc").size() == 32);
    CHECK(members(terminal.at("winsize")) == "cols rows xpixel ypixel");
    CHECK(terminal.at("winsize").at("ypixel") == 65535);

    const json& unnamed = root_fd(m, 10).at("detail");
    CHECK(members(unnamed) == "dev inode");
    CHECK(unnamed.at("inode") == 2077);
    const json& file = m.at("unnamed_files").at(0);
    CHECK(members(file) == "chunks dev inode memfd mode path seals size whole");
    CHECK(file.at("path") == "/memfd:ring");
    CHECK(m.at("unnamed_files").at(1).at("whole") == false);

    const json& pipe = m.at("pipes").at(0);
    CHECK(members(pipe) == "capacity data key outside");
    CHECK(pipe.at("data").get<std::string>().substr(0, 8) == "fffefdfc");

    CHECK(root_fd(m, 12).at("kind") == "unix_socket");
    CHECK(root_fd(m, 14).at("kind") == "pty_master");
    const json& master = root_fd(m, 14).at("detail");
    CHECK(members(master) == "index locked packet slave to_master to_slave");
    CHECK(members(master.at("slave")) == "device foreground session terminal termios type winsize");
    CHECK(master.at("to_master") == "610d0a");
    const json& socket = m.at("unix_sockets").at(0);
    CHECK(members(socket) == "accepted_from backlog inode listening mode name options peer peer_closed pending "
                             "queue shutdown type");
    CHECK(members(socket.at("options")) == "pass_credentials peek_offset receive_buffer receive_low_water "
                                           "receive_timeout_us send_buffer send_timeout_us");
    CHECK(socket.at("name") == "/tmp/job/server");
    const json& datagram = m.at("unix_sockets").at(1);
    CHECK(datagram.at("name") == "@6a6f62ff");
    CHECK(members(datagram.at("queue").at(0)) == "data source");

    CHECK(root_fd(m, 15).at("kind") == "inet_socket");
    const json& server = m.at("inet_sockets").at(0);
    CHECK(members(server) == "accepted backlog family inode listening local options peer peer_socket queue type");
    CHECK(members(server.at("options")) == "keep_alive no_delay receive_buffer reuse_address reuse_port "
                                           "send_buffer v6_only");
    CHECK(server.at("local") == "[::1]:5000");
    CHECK(m.at("inet_sockets").at(1).at("queue").at(0).at("source") == "127.0.0.1:40000");

    const json& kept = m.at("kept_output").at(0);
    CHECK(members(kept) == "chunks path size");
    CHECK(members(kept.at("chunks").at(0)) == "codec file offset size stored_size vaddr xxh3");

    const json& thread = m.at("processes").at(0).at("threads").at(0);
    CHECK(thread.at("regs").size() == 27);
    CHECK(thread.at("xstate").get<std::string>().size() == 2 * 2696);

    std::vector<std::string> region_kinds;
    for (const json& r : m.at("processes").at(0).at("regions")) {
        region_kinds.push_back(r.at("kind").get<std::string>());
    }
    CHECK(region_kinds == std::vector<std::string>{"anon", "file", "shared_file", "shared_anon", "sysv_shm",
                                                   "shared_unnamed_file", "unnamed_file", "vdso", "vvar",
                                                   "vvar_vclock", "vsyscall"});
}

TEST_CASE("an fd of a kind this stasis does not know is refused, naming the kind")
{
    test::TempDir tmp;
    json m = manifest_of(commit(tmp.path() / "img", sample()));
    root_fd(m, 3)["kind"] = "socket";
    const fs::path dir = commit(tmp.path() / "socket", m);
    CHECK_THROWS_WITH_AS(image::read_checkpoint(dir),
                         (dir.string() + ": manifest names an unknown fd kind 'socket'").c_str(), ImageError);
}

TEST_CASE("an fd whose detail does not fit its kind is refused")
{
    test::TempDir tmp;
    const json good = manifest_of(commit(tmp.path() / "img", sample()));
    // The fds with a detail, each paired with another whose detail has another shape.
    const std::pair<int, int> swaps[] = {{6, 9}, {7, 8}, {8, 2}, {9, 6}, {2, 7}, {10, 9}};
    for (const auto& swap : swaps) {
        const int fd = swap.first;  // not a structured binding: CAPTURE takes it into a lambda
        const int other = swap.second;
        CAPTURE(fd);
        json none = good;
        root_fd(none, fd)["detail"] = nullptr;
        json mixed = good;
        root_fd(mixed, fd)["detail"] = root_fd(good, other).at("detail");
        for (const auto& [name, manifest] : {std::pair{"none-", none}, std::pair{"mixed-", mixed}}) {
            const fs::path dir = commit(tmp.path() / (name + std::to_string(fd)), manifest);
            const std::string malformed = dir.string() + ": manifest.json is malformed";
            CHECK_THROWS_WITH_AS(image::read_checkpoint(dir), doctest::Contains(malformed.c_str()), ImageError);
        }
    }
}

TEST_CASE("an fd of a kind without state that carries a detail is refused")
{
    test::TempDir tmp;
    json manifest = manifest_of(commit(tmp.path() / "img", sample()));
    root_fd(manifest, 0)["kind"] = "file";
    root_fd(manifest, 0)["detail"] = {{"count", 1}};
    const fs::path dir = commit(tmp.path() / "detail-on-file", manifest);
    CHECK_THROWS_WITH_AS(image::read_checkpoint(dir), doctest::Contains("carries state its kind does not have"),
                         ImageError);
}

TEST_CASE("kept_output is written only when there is some, and reads as empty when absent")
{
    test::TempDir tmp;
    Checkpoint none = sample();
    none.kept_output.clear();
    const fs::path dir = commit(tmp.path() / "none", none);
    CHECK_FALSE(manifest_of(dir).contains("kept_output"));
    CHECK(image::read_checkpoint(dir).kept_output.empty());

    // An image from before --keep-output existed: the member is not there at all.
    json older = manifest_of(commit(tmp.path() / "img", sample()));
    REQUIRE(older.erase("kept_output") == 1);
    const Checkpoint read = image::read_checkpoint(commit(tmp.path() / "older", older));
    CHECK(read.kept_output.empty());
    CHECK(read.processes.size() == 3);
}

TEST_CASE("an image from before CPU features and the vDSO were recorded reads as not having recorded them")
{
    test::TempDir tmp;
    json m = manifest_of(commit(tmp.path() / "img", sample()));
    CHECK(m.at("cpu").at("features") == json({"sse2", "avx2", "avx512f"}));
    CHECK(m.at("vdso").at("symbols").at("__vdso_time") == 0xa20);

    REQUIRE(m.at("cpu").erase("features") == 1);
    REQUIRE(m.erase("vdso") == 1);
    const Checkpoint read = image::read_checkpoint(commit(tmp.path() / "older", m));
    CHECK_FALSE(read.cpu.features.has_value());
    CHECK_FALSE(read.vdso.has_value());
    CHECK(read.cpu.xcr0 == 743);

    // Recorded but empty is not the same as not recorded.
    Checkpoint empty = sample();
    empty.cpu.features = std::vector<std::string>{};
    const Checkpoint back = image::read_checkpoint(commit(tmp.path() / "empty", empty));
    REQUIRE(back.cpu.features.has_value());
    CHECK(back.cpu.features->empty());
}

TEST_CASE("unnamed_files is written only when there are some, and reads as empty when absent")
{
    test::TempDir tmp;
    Checkpoint none = sample();
    none.unnamed_files.clear();
    const fs::path dir = commit(tmp.path() / "none", none);
    CHECK_FALSE(manifest_of(dir).contains("unnamed_files"));
    CHECK(image::read_checkpoint(dir).unnamed_files.empty());
}

TEST_CASE("a pipe of an image from before pipes leading outside were kept has both ends in the tree")
{
    test::TempDir tmp;
    json older = manifest_of(commit(tmp.path() / "img", sample()));
    for (auto& pipe : older.at("pipes")) {
        REQUIRE(pipe.erase("outside") == 1);
    }
    const Checkpoint read = image::read_checkpoint(commit(tmp.path() / "older", older));
    REQUIRE(read.pipes.size() == 2);
    CHECK_FALSE(read.pipes[0].outside);
    CHECK_FALSE(read.pipes[1].outside);
}

TEST_CASE("a manifest changed at random but correctly checksummed is read or refused as an image error")
{
    // What a forged or buggy manifest can do to the one reader: it must come
    // back as a model or as ImageError (one line), never as another exception.
    test::TempDir tmp;
    const json written = manifest_of(commit(tmp.path() / "img", sample()));
    std::mt19937_64 rng(20261130);
    int refused = 0, read = 0;
    for (int round = 0; round < 1000; ++round) {
        json m = written;
        std::string changes;
        for (auto n = 1 + rng() % 3; n > 0; --n) {
            changes += test::mutate_json(m, rng) + "; ";
        }
        // Sealed as the writer seals it, without its fsyncs.
        m.erase("manifest_xxh3");
        m["manifest_xxh3"] = image::manifest_checksum(m);
        const fs::path dir = tmp.path() / "mutated";
        fs::create_directories(dir);
        std::ofstream(dir / "manifest.json", std::ios::trunc) << m.dump();
        CAPTURE(changes);
        try {
            (void)image::read_checkpoint(dir);
            ++read;
        } catch (const ImageError& e) {
            CHECK(std::string(e.what()).find('\n') == std::string::npos);
            ++refused;
        } catch (const std::exception& e) {
            FAIL("not an ImageError: " << e.what());
        }
    }
    MESSAGE(refused << " refused, " << read << " read");
    CHECK(refused > 500);
}
