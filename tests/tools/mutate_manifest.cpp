// mutate_manifest IMAGE_DIR SEED: damages IMAGE_DIR/manifest.json with one
// to three random changes (tests/support/json_mutation.hpp) and seals it
// again with a correct checksum, so that what stasis then reads is a forged
// manifest rather than a corrupt one. Prints the changes.
//
// mutate_manifest IMAGE_DIR --set JSON_POINTER JSON_VALUE: the one change
// given (e.g. /processes/0/exe '"/usr/bin/passwd"'), sealed the same way: a
// forgery made on purpose.
#include "image/generation.hpp"
#include "json_mutation.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

namespace {

std::string random_changes(nlohmann::json& m, const char* seed)
{
    std::mt19937_64 rng(std::strtoull(seed, nullptr, 10));
    std::string changes;
    for (auto n = 1 + rng() % 3; n > 0; --n) {
        changes += stasis::test::mutate_json(m, rng) + "; ";
    }
    return changes;
}

}  // namespace

int main(int argc, char** argv)
{
    bool set = argc == 5 && std::string(argv[2]) == "--set";
    if (argc != 3 && !set) {
        std::cerr << "usage: mutate_manifest IMAGE_DIR SEED\n"
                     "       mutate_manifest IMAGE_DIR --set JSON_POINTER JSON_VALUE\n";
        return 2;
    }
    const std::string path = std::string(argv[1]) + "/manifest.json";
    nlohmann::json m;
    try {
        std::ifstream in(path);
        m = nlohmann::json::parse(in);
        if (set) {
            m[nlohmann::json::json_pointer(argv[3])] = nlohmann::json::parse(argv[4]);
            std::cout << "set " << argv[3] << " to " << argv[4] << "\n";
        } else {
            std::cout << random_changes(m, argv[2]) << "\n";
        }
    } catch (const std::exception& e) {
        std::cerr << "mutate_manifest: " << path << ": " << e.what() << "\n";
        return 1;
    }
    m.erase("manifest_xxh3");
    m["manifest_xxh3"] = stasis::image::manifest_checksum(m);
    std::ofstream(path, std::ios::trunc) << m.dump() << "\n";
    return 0;
}
