// Server configuration: a JSON file (--config) with command-line flags taking precedence.
//
//   StatusOr<ServerConfig> config = parseCommandLine(argc, argv);
//   if (!config.ok()) { std::cerr << config.status().message(); ... }
//   if (config->show_help) std::cout << usageText();
//
// Fails with invalid_argument naming the flag or the config key, not_found for a missing
// config file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "status.h"

namespace kefu::server {

struct RateLimitConfig {
  double per_minute = 30;  // sustained escalations per client IP
  double burst = 10;       // requests a client may send at once before being slowed down
};

struct ServerConfig {
  std::string listen = "127.0.0.1";
  int port = 8787;  // 0 = any free port (tests read the chosen one from the "listening" line)
  std::string db = "var/kefu.db";
  std::string desk_token;
  std::vector<std::string> allowed_origins;  // "*" allows every origin (development only)
  size_t max_body_bytes = 256 * 1024;
  size_t max_message_bytes = 10000;  // the core refuses longer messages with out_of_range too
  RateLimitConfig rate_limit;
  bool show_help = false;
};

// Applies the keys of a config file's JSON text onto `config`; unknown keys are errors so
// that a typo does not silently leave a default (e.g. an empty origin allow-list).
Status applyConfigJson(const std::string& json_text, ServerConfig& config);

// Reads --config first, then the other flags over it, then checks the result is usable
// (a desk token is present, limits are positive). KEFU_DESK_TOKEN is used when neither the
// file nor the flags give a token, so it need not appear in the process list.
StatusOr<ServerConfig> parseCommandLine(int argc, const char* const argv[]);

std::string usageText();

}  // namespace kefu::server
