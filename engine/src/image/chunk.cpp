#include "image/chunk.hpp"

#include "core/error.hpp"

#include <nlohmann/json.hpp>

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
    // An unknown codec here means the image, not the user, is at fault.
    if (name != "zstd" && name != "none") {
        throw ImageError("unknown chunk codec \"" + name + "\"");
    }
    c.codec = codec_from_name(name);
}

Codec codec_from_name(const std::string& name)
{
    if (name == "zstd") {
        return Codec::zstd;
    }
    if (name == "none") {
        return Codec::none;
    }
    throw Error("unknown codec \"" + name + "\" (expected zstd or none)");
}

std::string codec_name(Codec codec)
{
    return codec == Codec::zstd ? "zstd" : "none";
}

}  // namespace stasis::image
