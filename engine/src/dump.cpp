#include "dump.hpp"

#include "dump_files.hpp"
#include "dump_memory.hpp"
#include "dump_task.hpp"
#include "error.hpp"
#include "frozen_process.hpp"
#include "image/chunk_writer.hpp"
#include "image/generation.hpp"
#include "ptrace_ops.hpp"

#include <nlohmann/json.hpp>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

namespace stasis {

namespace {

std::string utc_now()
{
    std::time_t now = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return buf;
}

Checkpoint describe_host(pid_t root)
{
    Checkpoint c;
    utsname u{};
    ::uname(&u);
    c.host = u.nodename;
    c.kernel = u.release;
    c.time = utc_now();
    c.root_pid = root;
    return c;
}

}  // namespace

DumpResult dump(const DumpOptions& options)
{
    auto started = std::chrono::steady_clock::now();
    FrozenProcess frozen(options.pid);
    // Refuse what cannot be restored before touching the process at all.
    auto regions = read_regions(frozen.pid());
    auto fds = read_fds(frozen.pid());

    image::GenerationWriter generation(options.dir);
    auto process = read_task_state(frozen, find_syscall_instruction(frozen.pid(), regions));
    process.regions = read_regions(frozen.pid());
    process.fds = std::move(fds);

    image::ChunkWriter writer(generation.staging_dir(), options.codec, options.level, options.workers);
    dump_memory(frozen.pid(), process.regions, writer);

    Checkpoint checkpoint = describe_host(frozen.pid());
    checkpoint.cpu.xcr0 = ptrace::xcr0_of(process.threads.front().xstate);
    checkpoint.cpu.xsave_size = process.threads.front().xstate.size();
    checkpoint.data_files = writer.files();
    DumpResult result;
    for (const auto& region : process.regions) {
        for (const auto& chunk : region.chunks) {
            result.memory_bytes += chunk.size;
            result.stored_bytes += chunk.stored_size;
        }
    }
    checkpoint.processes.push_back(std::move(process));
    generation.commit(nlohmann::json(checkpoint));

    if (!options.leave_running) {
        frozen.kill();
    }
    result.frozen_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace stasis
