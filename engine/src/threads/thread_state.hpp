#pragma once
// What the image keeps of one thread: registers, the XSAVE area, its signal
// mask and queue, and what the kernel holds for it (clear_child_tid, robust
// list, rseq, alternate signal stack, parent-death signal).
#include "process/signal_state.hpp"

#include <nlohmann/json_fwd.hpp>
#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <string>
#include <vector>

namespace stasis {

struct ThreadState {
    pid_t tid = 0;
    std::string comm;
    user_regs_struct regs{};
    std::vector<std::uint8_t> xstate;  // NT_X86_XSTATE area
    std::uint64_t sigmask = 0;
    std::uint64_t clear_child_tid = 0;
    std::uint64_t robust_list_head = 0;
    std::uint64_t robust_list_len = 0;
    std::uint64_t rseq_addr = 0;
    std::uint32_t rseq_size = 0;
    std::uint32_t rseq_sig = 0;
    std::uint64_t altstack_sp = 0;
    std::int32_t altstack_flags = 0;
    std::uint64_t altstack_size = 0;
    int pdeathsig = 0;  // PR_SET_PDEATHSIG: the signal it gets when its parent thread ends
    std::vector<SigInfoBytes> pending;
};

void to_json(nlohmann::json& j, const ThreadState& t);
void from_json(const nlohmann::json& j, ThreadState& t);

}  // namespace stasis
