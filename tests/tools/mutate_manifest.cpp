// mutate_manifest IMAGE_DIR SEED: damages IMAGE_DIR/manifest.json with one
// to three random changes (tests/support/json_mutation.hpp) and seals it
// again with a correct checksum, so that what stasis then reads is a forged
// manifest rather than a corrupt one. Prints the changes.
//
// mutate_manifest IMAGE_DIR --require-cpu-feature NAME: adds NAME to the
// CPU features the image records (cpu.features), sealed the same way: an
// image a host without NAME must refuse.
#include "image/generation.hpp"
#include "json_mutation.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

namespace {

void mutate_randomly(nlohmann::json& m, const char* seed)
{
    std::mt19937_64 rng(std::strtoull(seed, nullptr, 10));
    for (auto n = 1 + rng() % 3; n > 0; --n) {
        std::cout << stasis::test::mutate_json(m, rng) << "; ";
    }
    std::cout << "\n";
}

void require_cpu_feature(nlohmann::json& m, const std::string& name)
{
    m["cpu"]["features"].push_back(name);
    std::cout << "cpu.features += " << name << "\n";
}

}  // namespace

int main(int argc, char** argv)
{
    const bool feature_mode = argc == 4 && std::string(argv[2]) == "--require-cpu-feature";
    if (argc != 3 && !feature_mode) {
        std::cerr << "usage: mutate_manifest IMAGE_DIR SEED\n"
                     "       mutate_manifest IMAGE_DIR --require-cpu-feature NAME\n";
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
    if (feature_mode) {
        require_cpu_feature(m, argv[3]);
    } else {
        mutate_randomly(m, argv[2]);
    }
    m.erase("manifest_xxh3");
    m["manifest_xxh3"] = stasis::image::manifest_checksum(m);
    std::ofstream(path, std::ios::trunc) << m.dump() << "\n";
    return 0;
}
