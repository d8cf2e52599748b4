#pragma once
// The CPU features a job may use: the cpuid bits that name an instruction set
// glibc and programs dispatch on (their names are /proc/cpuinfo's). A dump
// records the host's; a restore refuses a host that lacks one of them, since
// code chosen for it would fault there.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

// One register of one cpuid leaf and subleaf that holds feature bits.
enum class CpuidWord : std::uint8_t {
    leaf1_ecx,
    leaf1_edx,
    leaf7_ebx,
    leaf7_ecx,
    leaf7_edx,
    leaf7_1_eax,
    ext1_ecx,  // leaf 0x80000001
    ext1_edx,
    xsave1_eax,  // leaf 0xD, subleaf 1
    count
};

using CpuidWords = std::array<std::uint32_t, static_cast<std::size_t>(CpuidWord::count)>;

// The words as this host's cpuid gives them (zero for leaves it lacks).
CpuidWords host_cpuid_words();

// The names of the known features set in words, in table order.
std::vector<std::string> cpu_feature_names(const CpuidWords& words);

// This host's features: cpu_feature_names(host_cpuid_words()).
std::vector<std::string> host_cpu_features();

// What recorded holds that here does not, in recorded's order. A name this
// stasis does not know counts as missing: it cannot tell whether here has it.
std::vector<std::string> missing_cpu_features(const std::vector<std::string>& recorded,
                                              const std::vector<std::string>& here);

// Throws Error when here lacks a feature of recorded: one line naming them,
// and image_host, the host the image was taken on.
void refuse_missing_cpu_features(const std::vector<std::string>& recorded, const std::vector<std::string>& here,
                                 const std::string& image_host);

}  // namespace stasis
