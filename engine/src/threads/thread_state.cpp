#include "threads/thread_state.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstring>

namespace stasis {

namespace {

constexpr std::size_t reg_count = sizeof(user_regs_struct) / sizeof(std::uint64_t);

}  // namespace

void to_json(nlohmann::json& j, const ThreadState& t)
{
    std::array<std::uint64_t, reg_count> regs{};
    std::memcpy(regs.data(), &t.regs, sizeof(t.regs));
    j = {{"tid", t.tid},
         {"comm", t.comm},
         {"regs", regs},
         {"xstate", to_hex(t.xstate)},
         {"sigmask", t.sigmask},
         {"clear_child_tid", t.clear_child_tid},
         {"robust_list", {{"head", t.robust_list_head}, {"len", t.robust_list_len}}},
         {"rseq", {{"addr", t.rseq_addr}, {"size", t.rseq_size}, {"sig", t.rseq_sig}}},
         {"altstack", {{"sp", t.altstack_sp}, {"flags", t.altstack_flags}, {"size", t.altstack_size}}},
         {"pdeathsig", t.pdeathsig},
         {"pending", t.pending}};
}

void from_json(const nlohmann::json& j, ThreadState& t)
{
    j.at("tid").get_to(t.tid);
    j.at("comm").get_to(t.comm);
    auto regs = j.at("regs").get<std::vector<std::uint64_t>>();
    if (regs.size() != reg_count) {
        throw ImageError("manifest holds a register set of the wrong size");
    }
    std::memcpy(&t.regs, regs.data(), sizeof(t.regs));
    t.xstate = from_hex(j.at("xstate").get<std::string>());
    j.at("sigmask").get_to(t.sigmask);
    j.at("clear_child_tid").get_to(t.clear_child_tid);
    j.at("robust_list").at("head").get_to(t.robust_list_head);
    j.at("robust_list").at("len").get_to(t.robust_list_len);
    j.at("rseq").at("addr").get_to(t.rseq_addr);
    j.at("rseq").at("size").get_to(t.rseq_size);
    j.at("rseq").at("sig").get_to(t.rseq_sig);
    j.at("altstack").at("sp").get_to(t.altstack_sp);
    j.at("altstack").at("flags").get_to(t.altstack_flags);
    j.at("altstack").at("size").get_to(t.altstack_size);
    j.at("pending").get_to(t.pending);
    t.pdeathsig = j.value("pdeathsig", 0);  // added within format version 1
}

}  // namespace stasis
