#pragma once
// The agent's log: lines on stderr starting "stasis run: ".
#include <stasis/site_config.hpp>

#include <spdlog/logger.h>

namespace stasis::agent {

spdlog::logger& run_log();

// The site's log_level (`stasis run --log-level`) for run_log and spdlog's
// default logger.
void set_log_level(LogLevel level);

}  // namespace stasis::agent
