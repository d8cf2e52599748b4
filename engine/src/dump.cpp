#include "dump.hpp"

#include "dump_files.hpp"
#include "dump_memory.hpp"
#include "dump_task.hpp"
#include "error.hpp"
#include "frozen_tree.hpp"
#include "image/chunk_writer.hpp"
#include "image/generation.hpp"
#include "kept_output.hpp"
#include "namespace_ids.hpp"
#include "proc.hpp"
#include "ptrace_ops.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <utility>

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

// Each process's pages go to data files of its own (pages-PID-N.bin), so
// that the chunks of one process are never mixed with another's.
void dump_process_memory(ProcessState& process, const std::filesystem::path& staging, const DumpOptions& options,
                         const SharedPages& shared, Checkpoint& checkpoint)
{
    image::ChunkWriter writer(staging, options.codec, options.level, options.workers,
                              "pages-" + std::to_string(process.pid));
    dump_memory(process.pid, process.regions, writer, shared);
    for (const auto& file : writer.files()) {
        checkpoint.data_files.push_back(file);
    }
}

ProcessState zombie_state(const Zombie& z)
{
    ProcessState p;
    p.pid = z.pid;
    p.ppid = z.ppid;
    p.zombie = true;
    p.wait_status = z.wait_status;
    proc::Stat stat(z.pid);
    p.pgid = static_cast<pid_t>(stat.field(5));
    p.sid = static_cast<pid_t>(stat.field(6));
    return p;
}

DumpResult totals(const Checkpoint& checkpoint)
{
    DumpResult result;
    for (const auto& process : checkpoint.processes) {
        for (const auto& region : process.regions) {
            for (const auto& chunk : region.chunks) {
                result.memory_bytes += chunk.size;
                result.stored_bytes += chunk.stored_size;
            }
        }
    }
    return result;
}

}  // namespace

DumpResult dump(const DumpOptions& options)
{
    auto started = std::chrono::steady_clock::now();
    FrozenTree tree(options.pid);
    // Refuse what cannot be restored before touching any process.
    std::vector<ProcessState> states;
    for (const auto& frozen : tree.processes()) {
        ProcessState p;
        p.pid = frozen->pid();
        p.regions = read_regions(frozen->pid());
        p.fds = read_fds(frozen->pid());
        states.push_back(std::move(p));
    }
    link_descriptions(states);

    image::GenerationWriter generation(options.dir);
    Checkpoint checkpoint = describe_host(options.pid);
    checkpoint.pipes = capture_pipes(states);
    std::vector<SharedResidency> residency(states.size());
    for (std::size_t i = 0; i < states.size(); ++i) {
        const auto& frozen = *tree.processes()[i];
        auto syscall_ip = find_syscall_instruction(frozen.pid(), states[i].regions);
        auto process = read_task_state(frozen, syscall_ip, states[i].regions, residency[i]);
        process.regions = read_regions(frozen.pid());  // without the scratch page injection used
        process.fds = std::move(states[i].fds);
        checkpoint.processes.push_back(std::move(process));
    }
    auto shared = find_shared_pages(checkpoint.processes, residency);
    for (auto& process : checkpoint.processes) {
        dump_process_memory(process, generation.staging_dir(), options, shared, checkpoint);
    }
    for (const auto& z : tree.zombies()) {
        checkpoint.processes.push_back(zombie_state(z));
    }
    to_namespace_ids(checkpoint);
    const auto& leader = checkpoint.processes.front().threads.front();
    checkpoint.cpu.xcr0 = ptrace::xcr0_of(leader.xstate);
    checkpoint.cpu.xsave_size = leader.xstate.size();
    nlohmann::json manifest(checkpoint);
    if (options.keep_output) {
        keep_output(checkpoint.processes.front(), generation.staging_dir(), options, manifest);
    }
    generation.commit(std::move(manifest));

    if (!options.leave_running) {
        tree.kill();
    }
    DumpResult result = totals(checkpoint);
    result.frozen_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
}

}  // namespace stasis
