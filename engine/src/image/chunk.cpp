#include "image/chunk.hpp"

#include "core/error.hpp"

#include <stasis/generation_name.hpp>

#include <nlohmann/json.hpp>

#include <string_view>
#include <utility>

namespace stasis::image {

void to_json(nlohmann::json& j, const Chunk& c)
{
    j = nlohmann::json{{"vaddr", c.vaddr},   {"size", c.size},
                       {"file", c.file},     {"offset", c.offset},
                       {"stored_size", c.stored_size}, {"codec", codec_name(c.codec)},
                       {"xxh3", c.xxh3}};
}

void from_json(const nlohmann::json& j, Chunk& c)
{
    j.at("vaddr").get_to(c.vaddr);
    j.at("size").get_to(c.size);
    j.at("file").get_to(c.file);
    j.at("offset").get_to(c.offset);
    j.at("stored_size").get_to(c.stored_size);
    j.at("xxh3").get_to(c.xxh3);
    const auto& name = j.at("codec").get_ref<const std::string&>();
    try {
        c.codec = codec_from_name(name);
    } catch (const Error&) {
        // The image, not the user, is at fault; and an older stasis meets
        // codecs added within version 1 this way.
        throw ImageError("unknown chunk codec \"" + name + "\"");
    }
}

namespace {

constexpr std::string_view lender_prefix = "../";

bool is_plain_name(std::string_view name)
{
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

}  // namespace

bool is_borrowed(const Chunk& c)
{
    return c.file.starts_with(lender_prefix);
}

Chunk as_seen_from_sibling(Chunk c, const std::string& generation)
{
    if (!is_borrowed(c)) {
        c.file = std::string(lender_prefix) + generation + "/" + c.file;
    }
    return c;
}

std::string lender_of(const Chunk& c)
{
    if (!is_borrowed(c)) {
        return "";
    }
    std::string_view rest(c.file);
    rest.remove_prefix(lender_prefix.size());
    return std::string(rest.substr(0, rest.find('/')));
}

void check_data_file_name(const std::string& file)
{
    std::string_view name(file);
    if (name.starts_with(lender_prefix)) {
        name.remove_prefix(lender_prefix.size());
        auto slash = name.find('/');
        if (slash == std::string_view::npos || !contract::is_committed_generation_name(name.substr(0, slash))) {
            throw ImageError("data file \"" + file + "\" is neither in this generation nor in a sibling one");
        }
        name.remove_prefix(slash + 1);
    }
    if (!is_plain_name(name)) {
        throw ImageError("data file \"" + file + "\" is neither in this generation nor in a sibling one");
    }
}

namespace {

constexpr std::pair<Codec, std::string_view> codec_names[] = {
    {Codec::none, "none"},
    {Codec::zstd, "zstd"},
    {Codec::zstd_shuffle4, "zstd-shuffle4"},
    {Codec::zstd_shuffle8, "zstd-shuffle8"},
};

}  // namespace

Codec codec_from_name(const std::string& name)
{
    for (const auto& [codec, n] : codec_names) {
        if (n == name) {
            return codec;
        }
    }
    throw Error("unknown codec \"" + name + "\" (expected none, zstd, zstd-shuffle4 or zstd-shuffle8)");
}

std::string codec_name(Codec codec)
{
    for (const auto& [c, n] : codec_names) {
        if (c == codec) {
            return std::string(n);
        }
    }
    throw Error("codec " + std::to_string(static_cast<int>(codec)) + " has no name");
}

}  // namespace stasis::image
