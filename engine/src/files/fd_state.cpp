#include "files/fd_state.hpp"

#include "core/error.hpp"
#include "files/fd_kind.hpp"

#include <nlohmann/json.hpp>

namespace stasis {

void to_json(nlohmann::json& j, const FdState& f)
{
    nlohmann::json detail;
    std::visit(
        [&detail](const auto& d) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(d)>, std::monostate>) {
                detail = d;
            }
        },
        f.detail);
    j = {{"fd", f.fd},       {"kind", fd_kind(f.kind).name}, {"path", f.path},     {"flags", f.flags},
         {"pos", f.pos},     {"description", f.description}, {"detail", detail}};
}

void from_json(const nlohmann::json& j, FdState& f)
{
    j.at("fd").get_to(f.fd);
    const auto& kind = fd_kind_named(j.at("kind").get<std::string>());
    f.kind = kind.kind;
    j.at("path").get_to(f.path);
    j.at("flags").get_to(f.flags);
    j.at("pos").get_to(f.pos);
    j.at("description").get_to(f.description);
    const auto& detail = j.at("detail");
    if (kind.read_detail == nullptr && !detail.is_null()) {
        throw ImageError("fd " + std::to_string(f.fd) + " of kind " + kind.name + " carries state its kind does not have");
    }
    f.detail = kind.read_detail != nullptr ? kind.read_detail(detail) : FdDetail{};
}

void throw_detail_mismatch(const FdState& f)
{
    throw ImageError("fd " + std::to_string(f.fd) + " (" + f.path + ", kind " + fd_kind(f.kind).name +
                     ") lacks the state of its kind");
}

}  // namespace stasis
