#pragma once
// The kernel's vDSO as a restore depends on it. A restore moves the new
// kernel's vDSO onto the old one's address (memory/restore_memory.cpp), but
// the job goes on calling it through addresses glibc took at its start: the
// old entry points. So a restore on another kernel is safe when the new vDSO
// has the same size and every entry point at the same offset, and no thread
// was stopped inside the old code.
#include "process/process_state.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace stasis {

struct VdsoLayout {
    std::uint64_t size = 0;  // of the [vdso] mapping
    std::uint64_t xxh3 = 0;  // XXH3-64 of its bytes
    std::map<std::string, std::uint64_t> symbols;  // exported function -> offset from its start
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VdsoLayout, size, xxh3, symbols)

// The layout of a vDSO whose mapping holds these bytes. Throws Error when
// they are not an ELF image with a dynamic symbol table.
VdsoLayout vdso_layout_of(std::span<const std::byte> mapping);

// This kernel's vDSO, as stasis itself has it: the kernel maps the same one
// into every 64-bit process, the job's and a restored job's included.
VdsoLayout host_vdso_layout();

// Throws Error, one line naming the difference and image_host, when a job of
// processes, whose vDSO was recorded, cannot go on with here; a difference
// it can go on with is logged at debug.
void check_vdso(const VdsoLayout& recorded, const VdsoLayout& here, const std::vector<ProcessState>& processes,
                const std::string& image_host);

}  // namespace stasis
