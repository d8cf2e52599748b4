#include "memory/vdso_layout.hpp"

#include "core/error.hpp"
#include "core/proc.hpp"

#include <elf.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace stasis {

namespace {

// A T at offset in mapping, or an Error: the bytes come from memory the
// kernel filled, but a wrong offset must not read past them.
template <typename T>
T read_at(std::span<const std::byte> mapping, std::uint64_t offset)
{
    if (offset > mapping.size() || mapping.size() - offset < sizeof(T)) {
        throw Error("the vDSO is not an ELF image stasis can read (offset " + std::to_string(offset) +
                    " beyond its " + std::to_string(mapping.size()) + " bytes)");
    }
    T value;
    std::memcpy(&value, mapping.data() + offset, sizeof(T));
    return value;
}

Elf64_Shdr section(std::span<const std::byte> mapping, const Elf64_Ehdr& elf, std::uint64_t index)
{
    return read_at<Elf64_Shdr>(mapping, elf.e_shoff + index * elf.e_shentsize);
}

std::string string_at(std::span<const std::byte> mapping, const Elf64_Shdr& strings, std::uint64_t index)
{
    std::string s;
    for (auto offset = strings.sh_offset + index;; ++offset) {
        auto c = read_at<char>(mapping, offset);
        if (c == '\0') {
            return s;
        }
        s += c;
    }
}

bool is_exported_function(const Elf64_Sym& sym)
{
    auto binding = ELF64_ST_BIND(sym.st_info);
    return ELF64_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF &&
           (binding == STB_GLOBAL || binding == STB_WEAK);
}

std::map<std::string, std::uint64_t> exported_functions(std::span<const std::byte> mapping)
{
    auto elf = read_at<Elf64_Ehdr>(mapping, 0);
    if (std::memcmp(elf.e_ident, ELFMAG, SELFMAG) != 0 || elf.e_ident[EI_CLASS] != ELFCLASS64 ||
        elf.e_shentsize != sizeof(Elf64_Shdr)) {
        throw Error("the vDSO is not a 64-bit ELF image");
    }
    std::map<std::string, std::uint64_t> symbols;
    for (std::uint64_t i = 0; i < elf.e_shnum; ++i) {
        auto symtab = section(mapping, elf, i);
        if (symtab.sh_type != SHT_DYNSYM || symtab.sh_entsize != sizeof(Elf64_Sym)) {
            continue;
        }
        auto strings = section(mapping, elf, symtab.sh_link);
        for (std::uint64_t n = 0; n < symtab.sh_size / sizeof(Elf64_Sym); ++n) {
            auto sym = read_at<Elf64_Sym>(mapping, symtab.sh_offset + n * sizeof(Elf64_Sym));
            if (is_exported_function(sym)) {
                // The vDSO is linked at address 0: a symbol's value is its offset.
                symbols[string_at(mapping, strings, sym.st_name)] = sym.st_value;
            }
        }
    }
    if (symbols.empty()) {
        throw Error("the vDSO exports no function stasis can find");
    }
    return symbols;
}

// "__vdso_time, __vdso_getcpu": the entry points here lacks or has elsewhere.
std::string moved_symbols(const VdsoLayout& recorded, const VdsoLayout& here)
{
    std::string moved;
    for (const auto& [name, offset] : recorded.symbols) {
        auto it = here.symbols.find(name);
        if (it == here.symbols.end() || it->second != offset) {
            moved += (moved.empty() ? "" : ", ") + name;
        }
    }
    return moved;
}

// A thread whose instruction pointer is in the old [vdso]: "thread T of
// process P".
std::optional<std::string> thread_inside_vdso(const std::vector<ProcessState>& processes)
{
    for (const auto& p : processes) {
        for (const auto& r : p.regions) {
            if (r.kind != RegionKind::vdso) {
                continue;
            }
            for (const auto& t : p.threads) {
                if (t.regs.rip >= r.start && t.regs.rip < r.end) {
                    return "thread " + std::to_string(t.tid) + " of process " + std::to_string(p.pid);
                }
            }
        }
    }
    return std::nullopt;
}

}  // namespace

VdsoLayout vdso_layout_of(std::span<const std::byte> mapping)
{
    return {.size = mapping.size(),
            .xxh3 = XXH3_64bits(mapping.data(), mapping.size()),
            .symbols = exported_functions(mapping)};
}

VdsoLayout host_vdso_layout()
{
    auto start = ::getauxval(AT_SYSINFO_EHDR);
    for (const auto& e : proc::smaps(::getpid())) {
        if (e.path == "[vdso]" && e.start == start) {
            return vdso_layout_of({reinterpret_cast<const std::byte*>(start), e.end - e.start});
        }
    }
    throw Error("this process has no vDSO");
}

void check_vdso(const VdsoLayout& recorded, const VdsoLayout& here, const std::vector<ProcessState>& processes,
                const std::string& image_host)
{
    if (recorded.size == here.size && recorded.xxh3 == here.xxh3) {
        return;
    }
    const std::string refusal = "cannot restore on this host: its kernel's vDSO ";
    const std::string from = " (image from " + image_host + ")";
    if (recorded.size != here.size) {
        throw Error(refusal + "is " + std::to_string(here.size) + " bytes, the image's " +
                    std::to_string(recorded.size) + from);
    }
    if (auto moved = moved_symbols(recorded, here); !moved.empty()) {
        throw Error(refusal + "has " + moved + " elsewhere, where the job still calls it" + from);
    }
    if (auto inside = thread_inside_vdso(processes)) {
        throw Error(refusal + "differs from the image's, and " + *inside + " was running in it" + from);
    }
    spdlog::debug("this kernel's vDSO differs from the image's but has every entry point at the same offset");
}

}  // namespace stasis
