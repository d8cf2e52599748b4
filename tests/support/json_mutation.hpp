#pragma once
// Random damage to a JSON document, for the tests that feed forged or broken
// manifests to stasis (tests/unit/manifest_test.cpp, tests/tools/mutate_manifest).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace stasis::test {

namespace detail {

inline void all_pointers(const nlohmann::json& j, const nlohmann::json::json_pointer& at,
                         std::vector<nlohmann::json::json_pointer>& out)
{
    out.push_back(at);
    if (j.is_object()) {
        for (const auto& [name, value] : j.items()) {
            all_pointers(value, at / name, out);
        }
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) {
            all_pointers(j[i], at / i, out);
        }
    }
}

}  // namespace detail

// One random change at a random place below the root: a member or element
// removed, a value of another type or out of range, an array cut short or
// grown by a copy of its first element. Returns what it did.
inline std::string mutate_json(nlohmann::json& m, std::mt19937_64& rng)
{
    using nlohmann::json;
    std::vector<json::json_pointer> pointers;
    detail::all_pointers(m, json::json_pointer(), pointers);
    if (pointers.size() < 2) {
        return "nothing to change";
    }
    const auto at = pointers[1 + rng() % (pointers.size() - 1)];
    json& target = m[at];
    const json replacements[] = {nullptr, true, -1, 0, 1e300, std::numeric_limits<std::uint64_t>::max(),
                                 std::numeric_limits<std::int64_t>::min(), "", "x", json::array(), json::object(),
                                 4096};
    const auto choice = rng() % 16;
    if (choice < 3) {
        json& parent = m[at.parent_pointer()];
        if (parent.is_object()) {
            parent.erase(at.back());
        } else {
            parent.erase(parent.begin() + static_cast<std::ptrdiff_t>(std::stoul(at.back())));
        }
        return "removed " + at.to_string();
    }
    if (choice < 5 && target.is_array() && !target.empty()) {
        if (choice == 3) {
            target.erase(target.begin() + static_cast<std::ptrdiff_t>(rng() % target.size()), target.end());
        } else {
            target.push_back(target.front());
        }
        return "resized " + at.to_string();
    }
    target = replacements[rng() % std::size(replacements)];
    return "set " + at.to_string() + " to " + target.dump();
}

}  // namespace stasis::test
