#include "core/restore_context.hpp"

#include "core/error.hpp"
#include "core/remote_memory.hpp"

namespace stasis {

void RestoreContext::set_area(std::uint64_t base, std::uint64_t size)
{
    area_base_ = base;
    area_size_ = size;
    main_.set_syscall_ip(base);
}

std::uint64_t RestoreContext::stage(std::span<const std::byte> bytes)
{
    std::uint64_t scratch = scratch_address();
    if (bytes.size() > area_size_ - page_size) {
        throw Error("an injected argument does not fit the scratch area");
    }
    write_remote(pid_, scratch, bytes);
    return scratch;
}

std::uint64_t RestoreContext::stage_string(const std::string& s)
{
    return stage(std::as_bytes(std::span(s.c_str(), s.size() + 1)));
}

}  // namespace stasis
