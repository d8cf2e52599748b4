#include "process/cpu_features.hpp"

#include "core/error.hpp"

#include <cpuid.h>

#include <algorithm>

namespace stasis {

namespace {

struct CpuidSource {
    CpuidWord word;
    unsigned leaf, subleaf;
    unsigned reg;  // 0 eax, 1 ebx, 2 ecx, 3 edx
};

constexpr CpuidSource sources[] = {
    {CpuidWord::leaf1_ecx, 1, 0, 2},          {CpuidWord::leaf1_edx, 1, 0, 3},
    {CpuidWord::leaf7_ebx, 7, 0, 1},          {CpuidWord::leaf7_ecx, 7, 0, 2},
    {CpuidWord::leaf7_edx, 7, 0, 3},          {CpuidWord::leaf7_1_eax, 7, 1, 0},
    {CpuidWord::ext1_ecx, 0x80000001, 0, 2},  {CpuidWord::ext1_edx, 0x80000001, 0, 3},
    {CpuidWord::xsave1_eax, 0xd, 1, 0},
};

struct CpuFeature {
    CpuidWord word;
    unsigned bit;
    const char* name;
};

// Only bits that stand for instructions a program may execute in user mode.
// Left out on purpose, as they say nothing about that or differ between
// identical hosts: hypervisor, osxsave and ospke (the OS's state: XCR0 is
// checked on its own), htt/apic/x2apic/tsc_deadline (topology and timers),
// monitor, vmx, smx, pcid, invpcid, smep, smap, umip, la57, pku, shstk and
// xsaves (kernel only), the speculation-control bits and hybrid (microcode and
// core type), and the hints erms, fsrm, fzrm, fsrs, fsrc and hle: a program
// that looks at those runs the same instructions, which work everywhere.
constexpr CpuFeature features[] = {
    {CpuidWord::leaf1_edx, 0, "fpu"},
    {CpuidWord::leaf1_edx, 4, "tsc"},
    {CpuidWord::leaf1_edx, 8, "cx8"},
    {CpuidWord::leaf1_edx, 15, "cmov"},
    {CpuidWord::leaf1_edx, 19, "clflush"},
    {CpuidWord::leaf1_edx, 23, "mmx"},
    {CpuidWord::leaf1_edx, 24, "fxsr"},
    {CpuidWord::leaf1_edx, 25, "sse"},
    {CpuidWord::leaf1_edx, 26, "sse2"},
    {CpuidWord::leaf1_ecx, 0, "pni"},
    {CpuidWord::leaf1_ecx, 1, "pclmulqdq"},
    {CpuidWord::leaf1_ecx, 9, "ssse3"},
    {CpuidWord::leaf1_ecx, 12, "fma"},
    {CpuidWord::leaf1_ecx, 13, "cx16"},
    {CpuidWord::leaf1_ecx, 19, "sse4_1"},
    {CpuidWord::leaf1_ecx, 20, "sse4_2"},
    {CpuidWord::leaf1_ecx, 22, "movbe"},
    {CpuidWord::leaf1_ecx, 23, "popcnt"},
    {CpuidWord::leaf1_ecx, 25, "aes"},
    {CpuidWord::leaf1_ecx, 26, "xsave"},
    {CpuidWord::leaf1_ecx, 28, "avx"},
    {CpuidWord::leaf1_ecx, 29, "f16c"},
    {CpuidWord::leaf1_ecx, 30, "rdrand"},
    {CpuidWord::ext1_edx, 11, "syscall"},
    {CpuidWord::ext1_edx, 22, "mmxext"},
    {CpuidWord::ext1_edx, 27, "rdtscp"},
    {CpuidWord::ext1_edx, 29, "lm"},
    {CpuidWord::ext1_edx, 30, "3dnowext"},
    {CpuidWord::ext1_edx, 31, "3dnow"},
    {CpuidWord::ext1_ecx, 0, "lahf_lm"},
    {CpuidWord::ext1_ecx, 5, "abm"},
    {CpuidWord::ext1_ecx, 6, "sse4a"},
    {CpuidWord::ext1_ecx, 7, "misalignsse"},
    {CpuidWord::ext1_ecx, 8, "3dnowprefetch"},
    {CpuidWord::ext1_ecx, 11, "xop"},
    {CpuidWord::ext1_ecx, 16, "fma4"},
    {CpuidWord::ext1_ecx, 21, "tbm"},
    {CpuidWord::leaf7_ebx, 0, "fsgsbase"},
    {CpuidWord::leaf7_ebx, 3, "bmi1"},
    {CpuidWord::leaf7_ebx, 5, "avx2"},
    {CpuidWord::leaf7_ebx, 8, "bmi2"},
    {CpuidWord::leaf7_ebx, 11, "rtm"},
    {CpuidWord::leaf7_ebx, 16, "avx512f"},
    {CpuidWord::leaf7_ebx, 17, "avx512dq"},
    {CpuidWord::leaf7_ebx, 18, "rdseed"},
    {CpuidWord::leaf7_ebx, 19, "adx"},
    {CpuidWord::leaf7_ebx, 21, "avx512ifma"},
    {CpuidWord::leaf7_ebx, 23, "clflushopt"},
    {CpuidWord::leaf7_ebx, 24, "clwb"},
    {CpuidWord::leaf7_ebx, 26, "avx512pf"},
    {CpuidWord::leaf7_ebx, 27, "avx512er"},
    {CpuidWord::leaf7_ebx, 28, "avx512cd"},
    {CpuidWord::leaf7_ebx, 29, "sha_ni"},
    {CpuidWord::leaf7_ebx, 30, "avx512bw"},
    {CpuidWord::leaf7_ebx, 31, "avx512vl"},
    {CpuidWord::leaf7_ecx, 1, "avx512vbmi"},
    {CpuidWord::leaf7_ecx, 5, "waitpkg"},
    {CpuidWord::leaf7_ecx, 6, "avx512_vbmi2"},
    {CpuidWord::leaf7_ecx, 8, "gfni"},
    {CpuidWord::leaf7_ecx, 9, "vaes"},
    {CpuidWord::leaf7_ecx, 10, "vpclmulqdq"},
    {CpuidWord::leaf7_ecx, 11, "avx512_vnni"},
    {CpuidWord::leaf7_ecx, 12, "avx512_bitalg"},
    {CpuidWord::leaf7_ecx, 14, "avx512_vpopcntdq"},
    {CpuidWord::leaf7_ecx, 22, "rdpid"},
    {CpuidWord::leaf7_ecx, 27, "movdiri"},
    {CpuidWord::leaf7_ecx, 28, "movdir64b"},
    {CpuidWord::leaf7_edx, 2, "avx512_4vnniw"},
    {CpuidWord::leaf7_edx, 3, "avx512_4fmaps"},
    {CpuidWord::leaf7_edx, 8, "avx512_vp2intersect"},
    {CpuidWord::leaf7_edx, 14, "serialize"},
    {CpuidWord::leaf7_edx, 16, "tsxldtrk"},
    {CpuidWord::leaf7_edx, 22, "amx_bf16"},
    {CpuidWord::leaf7_edx, 23, "avx512_fp16"},
    {CpuidWord::leaf7_edx, 24, "amx_tile"},
    {CpuidWord::leaf7_edx, 25, "amx_int8"},
    {CpuidWord::leaf7_1_eax, 4, "avx_vnni"},
    {CpuidWord::leaf7_1_eax, 5, "avx512_bf16"},
    {CpuidWord::leaf7_1_eax, 7, "cmpccxadd"},
    {CpuidWord::leaf7_1_eax, 21, "amx_fp16"},
    {CpuidWord::leaf7_1_eax, 23, "avx_ifma"},
    {CpuidWord::xsave1_eax, 0, "xsaveopt"},
    {CpuidWord::xsave1_eax, 1, "xsavec"},
    {CpuidWord::xsave1_eax, 2, "xgetbv1"},
};

bool is_known(const std::string& name)
{
    return std::any_of(std::begin(features), std::end(features), [&](const CpuFeature& f) { return name == f.name; });
}

std::string joined(const std::vector<std::string>& names)
{
    std::string text;
    for (const auto& n : names) {
        text += (text.empty() ? "" : ", ") + n;
    }
    return text;
}

}  // namespace

CpuidWords host_cpuid_words()
{
    CpuidWords words{};
    for (const auto& s : sources) {
        std::array<unsigned, 4> regs{};
        // __get_cpuid_count leaves regs zero for a leaf beyond the CPU's last.
        if (__get_cpuid_count(s.leaf, s.subleaf, &regs[0], &regs[1], &regs[2], &regs[3]) != 0) {
            words[static_cast<std::size_t>(s.word)] = regs[s.reg];
        }
    }
    return words;
}

std::vector<std::string> cpu_feature_names(const CpuidWords& words)
{
    std::vector<std::string> names;
    for (const auto& f : features) {
        if ((words[static_cast<std::size_t>(f.word)] >> f.bit & 1U) != 0) {
            names.emplace_back(f.name);
        }
    }
    return names;
}

std::vector<std::string> host_cpu_features()
{
    return cpu_feature_names(host_cpuid_words());
}

std::vector<std::string> missing_cpu_features(const std::vector<std::string>& recorded,
                                              const std::vector<std::string>& here)
{
    std::vector<std::string> missing;
    std::copy_if(recorded.begin(), recorded.end(), std::back_inserter(missing),
                 [&](const std::string& name) { return std::find(here.begin(), here.end(), name) == here.end(); });
    return missing;
}

void refuse_missing_cpu_features(const std::vector<std::string>& recorded, const std::vector<std::string>& here,
                                 const std::string& image_host)
{
    std::vector<std::string> lacked, unknown;
    for (auto& name : missing_cpu_features(recorded, here)) {
        (is_known(name) ? lacked : unknown).push_back(std::move(name));
    }
    if (lacked.empty() && unknown.empty()) {
        return;
    }
    std::string why = "cannot restore on this host: ";
    if (!lacked.empty()) {
        why += "its CPU lacks " + joined(lacked) + " that the job may use";
    }
    if (!unknown.empty()) {
        why += std::string(lacked.empty() ? "" : "; ") + "the image names CPU features this stasis does not know: " +
               joined(unknown);
    }
    throw Error(why + " (image from " + image_host + ")");
}

}  // namespace stasis
