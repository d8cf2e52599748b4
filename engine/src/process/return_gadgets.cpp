#include "process/return_gadgets.hpp"

#include "core/error.hpp"
#include "core/kernel_abi.hpp"
#include "core/remote_memory.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <span>

namespace stasis {

namespace {

constexpr std::array<std::uint8_t, 3> syscall_then_leave = {0x0f, 0x05, 0xc9};
constexpr std::uint8_t ret = 0xc3;
constexpr std::size_t most_clears = 16;

// How many bytes an instruction "xor r32, r32" (31 /r, register form, with
// an optional REX prefix) takes at `at`; 0 if it is something else.
std::size_t register_clear_at(std::span<const std::uint8_t> code, std::size_t at)
{
    std::size_t rex = at < code.size() && (code[at] & 0xf0) == 0x40 ? 1 : 0;
    if (at + rex + 1 < code.size() && code[at + rex] == 0x31 && (code[at + rex + 1] & 0xc0) == 0xc0) {
        return rex + 2;
    }
    return 0;
}

// After "syscall; leave", only register clears up to a `ret`: nothing there
// touches memory or the stack before the `ret`.
bool clears_then_returns(std::span<const std::uint8_t> code, std::size_t at)
{
    for (std::size_t n = 0; n <= most_clears && at < code.size(); ++n) {
        if (code[at] == ret) {
            return true;
        }
        std::size_t len = register_clear_at(code, at);
        if (len == 0) {
            return false;
        }
        at += len;
    }
    return false;
}

std::vector<std::uint8_t> text_of(pid_t pid, const Region& r)
{
    std::vector<std::uint8_t> text(r.size());
    read_remote(pid, r.start, std::as_writable_bytes(std::span(text)));
    return text;
}

const Region* vdso_of(const std::vector<Region>& regions)
{
    auto it = std::find_if(regions.begin(), regions.end(), [](const Region& r) { return r.kind == RegionKind::vdso; });
    return it == regions.end() ? nullptr : &*it;
}

std::optional<std::uint64_t> find_syscall_leave_ret(pid_t pid, const std::vector<Region>& regions)
{
    const auto* vdso = vdso_of(regions);
    if (vdso == nullptr) {
        return std::nullopt;
    }
    auto text = text_of(pid, *vdso);
    for (auto it = text.begin();
         (it = std::search(it, text.end(), syscall_then_leave.begin(), syscall_then_leave.end())) != text.end(); ++it) {
        auto at = static_cast<std::size_t>(it - text.begin());
        if (clears_then_returns(text, at + syscall_then_leave.size())) {
            return vdso->start + at;
        }
    }
    return std::nullopt;
}

// mov $15 (rt_sigreturn), %rax; syscall
constexpr std::array<std::uint8_t, 9> restorer = {0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05};

bool is_code(const Region& r)
{
    return r.prot.size() > 2 && r.prot[2] == 'x' && !r.path.empty() && r.path.front() == '/';
}

std::optional<std::uint64_t> find_restorer(pid_t pid, const std::vector<Region>& regions)
{
    // libc's restorer first: it is almost always there, and its text is small.
    std::vector<const Region*> code;
    for (const auto& r : regions) {
        if (is_code(r)) {
            code.push_back(&r);
        }
    }
    std::stable_partition(code.begin(), code.end(),
                          [](const Region* r) { return r->path.find("/libc") != std::string::npos; });
    for (const auto* r : code) {
        auto text = text_of(pid, *r);
        auto it = std::search(text.begin(), text.end(), restorer.begin(), restorer.end());
        if (it != text.end()) {
            return r->start + static_cast<std::uint64_t>(it - text.begin());
        }
    }
    return std::nullopt;
}

}  // namespace

std::uint64_t find_syscall_instruction(pid_t pid, const std::vector<Region>& regions)
{
    if (const auto* vdso = vdso_of(regions)) {
        auto text = text_of(pid, *vdso);
        auto it = std::search(text.begin(), text.end(), std::begin(syscall_insn), std::end(syscall_insn));
        if (it != text.end()) {
            return vdso->start + static_cast<std::uint64_t>(it - text.begin());
        }
    }
    throw Error("process " + std::to_string(pid) + " has no vDSO with a syscall instruction");
}

std::optional<ReturnGadgets> find_return_gadgets(pid_t pid, const std::vector<Region>& regions)
{
    auto call = find_syscall_leave_ret(pid, regions);
    if (!call) {
        return std::nullopt;
    }
    auto sigreturn = find_restorer(pid, regions);
    if (!sigreturn) {
        return std::nullopt;
    }
    return ReturnGadgets{*call, *sigreturn};
}

}  // namespace stasis
