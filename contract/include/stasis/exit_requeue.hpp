#pragma once
// The exit status by which `stasis run` tells a scheduler "checkpointed and
// ended: requeue the job"; the agent exits with it, the plugin acts on it.
namespace stasis::contract {

inline constexpr int exit_requeue = 75;  // EX_TEMPFAIL of sysexits.h

}  // namespace stasis::contract
