// The CPU features an image records and a restore compares: their names from
// cpuid's words, what a host lacks, and the one line that refuses it.
#include "core/error.hpp"
#include "process/cpu_features.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace stasis;

namespace {

std::uint32_t& word(CpuidWords& words, CpuidWord w)
{
    return words[static_cast<std::size_t>(w)];
}

std::string refusal(const std::vector<std::string>& recorded, const std::vector<std::string>& here)
{
    try {
        refuse_missing_cpu_features(recorded, here, "node01");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

bool has(const std::vector<std::string>& names, const std::string& name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("feature names come from the bits of their cpuid words, and only known bits count")
{
    CpuidWords words{};
    CHECK(cpu_feature_names(words).empty());

    word(words, CpuidWord::leaf1_edx) = 1U << 26;    // sse2
    word(words, CpuidWord::leaf7_ebx) = 1U << 5 | 1U << 16 | 1U << 31;  // avx2, avx512f, avx512vl
    word(words, CpuidWord::leaf7_1_eax) = 1U << 4;  // avx_vnni
    word(words, CpuidWord::ext1_ecx) = 1U << 16;    // fma4
    word(words, CpuidWord::xsave1_eax) = 1U << 1;   // xsavec
    CHECK(cpu_feature_names(words) ==
          std::vector<std::string>{"sse2", "fma4", "avx2", "avx512f", "avx512vl", "avx_vnni", "xsavec"});

    // Bits that say nothing about the instructions a program may run.
    CpuidWords noise{};
    word(noise, CpuidWord::leaf1_ecx) = 1U << 31 | 1U << 27 | 1U << 21;  // hypervisor, osxsave, x2apic
    word(noise, CpuidWord::leaf1_edx) = 1U << 28 | 1U << 9;             // htt, apic
    word(noise, CpuidWord::leaf7_ebx) = 1U << 4 | 1U << 9;              // hle, erms
    word(noise, CpuidWord::leaf7_edx) = 1U << 15 | 1U << 26;            // hybrid, ibrs
    CHECK(cpu_feature_names(noise).empty());
}

TEST_CASE("this host's features include what every x86-64 CPU has")
{
    auto here = host_cpu_features();
    for (const char* baseline : {"fpu", "cx8", "cmov", "fxsr", "sse", "sse2", "lm"}) {
        CAPTURE(baseline);
        CHECK(has(here, baseline));
    }
    CHECK(cpu_feature_names(host_cpuid_words()) == here);
}

TEST_CASE("a host lacking recorded features is refused in one line naming them")
{
    const std::vector<std::string> here = {"sse2", "avx2", "avx512f"};
    CHECK(missing_cpu_features({"sse2", "avx512vl", "avx2", "avx512bw"}, here) ==
          std::vector<std::string>{"avx512vl", "avx512bw"});
    CHECK(refusal({"sse2", "avx512vl", "avx2", "avx512bw"}, here) ==
          "cannot restore on this host: its CPU lacks avx512vl, avx512bw that the job may use (image from node01)");

    // Extra features here are fine, and so is an image that recorded none.
    CHECK(refusal({"sse2"}, here).empty());
    CHECK(refusal({}, here).empty());
}

TEST_CASE("a feature this stasis does not know is refused as such, not as one the CPU lacks")
{
    const std::vector<std::string> here = {"sse2"};
    CHECK(refusal({"sse2", "avx10_9"}, here) ==
          "cannot restore on this host: the image names CPU features this stasis does not know: avx10_9 "
          "(image from node01)");
    const std::string both = refusal({"amx_tile", "avx10_9"}, here);
    CHECK(both.find("its CPU lacks amx_tile that the job may use; ") != std::string::npos);
    CHECK(both.find("does not know: avx10_9 (image from node01)") != std::string::npos);
    CHECK(both.find('\n') == std::string::npos);
}
