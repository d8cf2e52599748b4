#pragma once
// A SysV shared memory segment a process has attached, as the image keeps
// it: what a restore needs to create it again with the same id. Its id is
// the inode of its mappings.
#include <nlohmann/json.hpp>

#include <cstdint>

namespace stasis {

struct SysvSegment {
    int shmid = 0;
    std::int32_t key = 0;
    std::uint64_t size = 0;
    std::uint32_t mode = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SysvSegment, shmid, key, size, mode)

}  // namespace stasis
