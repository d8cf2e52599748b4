// mutate_manifest IMAGE_DIR SEED: damages IMAGE_DIR/manifest.json with one
// to three random changes (tests/support/json_mutation.hpp) and seals it
// again with a correct checksum, so that what stasis then reads is a forged
// manifest rather than a corrupt one. Prints the changes.
#include "image/generation.hpp"
#include "json_mutation.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::cerr << "usage: mutate_manifest IMAGE_DIR SEED\n";
        return 2;
    }
    const std::string path = std::string(argv[1]) + "/manifest.json";
    nlohmann::json m;
    try {
        std::ifstream in(path);
        m = nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        std::cerr << "mutate_manifest: " << path << ": " << e.what() << "\n";
        return 1;
    }
    std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
    for (auto n = 1 + rng() % 3; n > 0; --n) {
        std::cout << stasis::test::mutate_json(m, rng) << "; ";
    }
    std::cout << "\n";
    m.erase("manifest_xxh3");
    m["manifest_xxh3"] = stasis::image::manifest_checksum(m);
    std::ofstream(path, std::ios::trunc) << m.dump() << "\n";
    return 0;
}
