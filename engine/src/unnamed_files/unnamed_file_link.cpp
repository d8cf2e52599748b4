#include "unnamed_files/unnamed_file_link.hpp"

#include <string_view>

namespace stasis {

namespace {

constexpr std::string_view deleted_suffix = " (deleted)";
constexpr std::string_view memfd_prefix = "/memfd:";

bool is_deleted(const std::string& link)
{
    return link.size() > deleted_suffix.size() && link.ends_with(deleted_suffix);
}

}  // namespace

bool is_unnamed_file_link(const std::string& link)
{
    return is_memfd_link(link) || is_deleted(link);
}

bool is_memfd_link(const std::string& link)
{
    return link.starts_with(memfd_prefix);
}

std::string unnamed_file_path(const std::string& link)
{
    return is_deleted(link) ? link.substr(0, link.size() - deleted_suffix.size()) : link;
}

std::string memfd_name(const std::string& path)
{
    return path.substr(memfd_prefix.size());
}

}  // namespace stasis
