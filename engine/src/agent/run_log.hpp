#pragma once
// The agent's log: lines on stderr starting "stasis run: ".
#include <spdlog/logger.h>

namespace stasis::agent {

spdlog::logger& run_log();

}  // namespace stasis::agent
