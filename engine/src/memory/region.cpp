#include "memory/region.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace stasis {

namespace {

constexpr std::array region_kind_names{"anon",        "file",     "shared_file", "shared_anon",
                                       "vdso",        "vvar",     "vvar_vclock", "vsyscall",
                                       "sysv_shm",    "unnamed_file", "shared_unnamed_file"};

RegionKind region_kind_from_name(const std::string& name)
{
    const auto* it = std::find(region_kind_names.begin(), region_kind_names.end(), name);
    if (it == region_kind_names.end()) {
        throw ImageError("manifest names an unknown region kind '" + name + "'");
    }
    return static_cast<RegionKind>(it - region_kind_names.begin());
}

}  // namespace

std::string region_kind_name(RegionKind kind)
{
    return region_kind_names.at(static_cast<std::size_t>(kind));
}

std::string describe_mapping(pid_t pid, std::uint64_t start, std::uint64_t end, const std::string& path)
{
    std::ostringstream s;
    s << "process " << pid << ": mapping 0x" << std::hex << start << "-0x" << end << " ("
      << (path.empty() ? "anonymous" : path) << ")";
    return s.str();
}

int Region::prot_bits() const
{
    int bits = PROT_NONE;
    if (prot.size() >= 3) {
        bits |= prot[0] == 'r' ? PROT_READ : 0;
        bits |= prot[1] == 'w' ? PROT_WRITE : 0;
        bits |= prot[2] == 'x' ? PROT_EXEC : 0;
    }
    return bits;
}

bool Region::has_flag(const std::string& flag) const
{
    return std::find(vmflags.begin(), vmflags.end(), flag) != vmflags.end();
}

void to_json(nlohmann::json& j, const Region& r)
{
    j = {{"start", r.start},   {"end", r.end},       {"prot", r.prot},   {"kind", region_kind_name(r.kind)},
         {"path", r.path},     {"offset", r.offset}, {"dev", r.dev},     {"inode", r.inode},
         {"file_size", r.file_size}, {"file_mtime_ns", r.file_mtime_ns}, {"vmflags", r.vmflags},
         {"chunks", r.chunks}};
}

void from_json(const nlohmann::json& j, Region& r)
{
    j.at("start").get_to(r.start);
    j.at("end").get_to(r.end);
    j.at("prot").get_to(r.prot);
    r.kind = region_kind_from_name(j.at("kind").get<std::string>());
    j.at("path").get_to(r.path);
    j.at("offset").get_to(r.offset);
    j.at("dev").get_to(r.dev);
    j.at("inode").get_to(r.inode);
    j.at("file_size").get_to(r.file_size);
    j.at("file_mtime_ns").get_to(r.file_mtime_ns);
    j.at("vmflags").get_to(r.vmflags);
    j.at("chunks").get_to(r.chunks);
}


}  // namespace stasis
