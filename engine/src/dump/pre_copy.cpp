// Pre-copy: the memory a periodic checkpoint would read while the job is
// frozen is read before, while it runs. Write tracking tells what to read
// (written since the parent) and, at the freeze, which of what was read was
// written again meanwhile; only that is read while the job is frozen.
#include <stasis/dump.hpp>

#include "core/error.hpp"
#include "dump/dump_settings.hpp"
#include "image/chunk_writer.hpp"
#include "image/generation.hpp"
#include "memory/dump_memory.hpp"
#include "memory/write_tracking.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <limits>

namespace stasis {

namespace {

// Another pass only pays while the written set shrinks fast and is not
// small already; a job that writes faster than it is read never converges.
constexpr unsigned max_passes = 4;
constexpr std::uint64_t worth_another_pass = std::uint64_t{8} << 20;

std::uint64_t total_size(const std::vector<image::Chunk>& chunks)
{
    std::uint64_t bytes = 0;
    for (const auto& c : chunks) {
        bytes += c.size;
    }
    return bytes;
}

// One pass over one process: scan (protecting it again), then read what is
// not stored yet. Returns the bytes read. On a failure (a full disk, the
// process gone) its files are removed, not left to take the dump's space.
std::uint64_t pre_copy_process(pid_t pid, unsigned pass, const DumpOptions& options, PreCopy& result)
{
    auto regions = read_regions(pid);
    auto known = options.tracking->rescan(pid, regions);
    if (!known) {
        return 0;
    }
    std::vector<std::string> files;
    try {
        image::ChunkWriter writer(result.generation->staging_dir(), writer_settings(options, nullptr),
                                  fmt::format("precopy{}-{}", pass, pid));
        files = writer.files();
        auto chunks = pre_copy_memory(pid, regions, writer, *known);
        options.tracking->pre_copied(pid, chunks);
        result.data_files.insert(result.data_files.end(), files.begin(), files.end());
        return total_size(chunks);
    } catch (...) {
        for (const auto& file : files) {
            std::error_code ignored;  // the failure itself is what counts
            std::filesystem::remove(result.generation->staging_dir() / file, ignored);
        }
        throw;
    }
}

}  // namespace

PreCopy pre_copy(const DumpOptions& options, const std::function<bool()>& keep_going)
{
    if (!options.tracking || options.parent.empty()) {
        throw Error("a pre-copy needs write tracking and a parent generation");
    }
    PreCopy result;
    result.generation = std::make_shared<image::GenerationWriter>(options.dir);
    options.tracking->begin(generation_name(options.parent));
    std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
    for (unsigned pass = 1; pass <= max_passes && keep_going(); ++pass) {
        std::uint64_t read = 0;
        for (pid_t pid : options.tracking->pre_copyable()) {
            if (!keep_going()) {
                break;
            }
            try {
                read += pre_copy_process(pid, pass, options, result);
            } catch (const Error& e) {
                // It ended, or cannot be read: the freeze reads it.
                spdlog::debug("process {}: pre-copy pass {} given up: {}", pid, pass, e.what());
            }
        }
        result.bytes += read;
        result.passes = pass;
        if (read < worth_another_pass || read > last / 2) {
            break;
        }
        last = read;
    }
    return result;
}

}  // namespace stasis
