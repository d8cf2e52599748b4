#include "dump/dump_settings.hpp"

#include <sched.h>

#include <algorithm>

namespace stasis {

namespace {

unsigned cores_to_run_on()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) {
        return 1;
    }
    return static_cast<unsigned>(std::max(CPU_COUNT(&set), 1));
}

}  // namespace

image::WriterSettings writer_settings(const DumpOptions& options, const image::ChunkIndex* parent)
{
    return {options.compression, options.level, options.workers != 0 ? options.workers : cores_to_run_on(), parent};
}

std::string generation_name(const std::filesystem::path& dir)
{
    return std::filesystem::weakly_canonical(std::filesystem::absolute(dir)).filename().string();
}

}  // namespace stasis
