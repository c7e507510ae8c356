#include "config.h"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kefu::server {
namespace {

using nlohmann::json;

Status wrongType(const std::string& key, const char* expected) {
  return Status::invalidArgument("config " + key + ": must be " + expected);
}

Status readPositive(const json& value, const std::string& key, double& out) {
  if (!value.is_number() || value.get<double>() <= 0) return wrongType(key, "a positive number");
  out = value.get<double>();
  return {};
}

Status readSize(const json& value, const std::string& key, size_t& out) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() == 0) {
    return wrongType(key, "a positive integer");
  }
  out = value.get<size_t>();
  return {};
}

Status parsePort(const std::string& text, const std::string& where, int& port) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0 || value > 65535) {
    return Status::invalidArgument(where + ": must be a port number 0..65535, got \"" + text +
                                   "\"");
  }
  port = static_cast<int>(value);
  return {};
}

}  // namespace

Status applyConfigJson(const std::string& json_text, ServerConfig& config) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status::invalidArgument("config: not valid JSON");
  if (!root.is_object()) return Status::invalidArgument("config: must be a JSON object");
  for (const auto& [key, value] : root.items()) {
    Status status;
    if (key == "listen") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return wrongType(key, "a host name or address");
      }
      config.listen = value.get<std::string>();
    } else if (key == "port") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > 65535) {
        return wrongType(key, "an integer 0..65535");
      }
      config.port = value.get<int>();
    } else if (key == "db") {
      if (!value.is_string() || value.get<std::string>().empty()) return wrongType(key, "a path");
      config.db = value.get<std::string>();
    } else if (key == "desk_token") {
      if (!value.is_string()) return wrongType(key, "a string");
      config.desk_token = value.get<std::string>();
    } else if (key == "allowed_origins") {
      if (!value.is_array()) return wrongType(key, "an array of origins");
      config.allowed_origins.clear();
      for (const auto& origin : value) {
        if (!origin.is_string()) return wrongType(key + "[]", "a string");
        config.allowed_origins.push_back(origin.get<std::string>());
      }
    } else if (key == "max_body_bytes") {
      status = readSize(value, key, config.max_body_bytes);
    } else if (key == "max_message_bytes") {
      status = readSize(value, key, config.max_message_bytes);
    } else if (key == "rate_limit") {
      if (!value.is_object()) return wrongType(key, "an object {per_minute, burst}");
      for (const auto& [sub, sub_value] : value.items()) {
        if (sub == "per_minute") {
          status = readPositive(sub_value, "rate_limit.per_minute", config.rate_limit.per_minute);
        } else if (sub == "burst") {
          status = readPositive(sub_value, "rate_limit.burst", config.rate_limit.burst);
        } else {
          return Status::invalidArgument("config rate_limit." + sub +
                                         ": unknown key (expected per_minute, burst)");
        }
        if (!status.ok()) return status;
      }
    } else {
      return Status::invalidArgument(
          "config " + key +
          ": unknown key (expected listen, port, db, desk_token, allowed_origins, "
          "max_body_bytes, max_message_bytes, rate_limit)");
    }
    if (!status.ok()) return status;
  }
  return {};
}

StatusOr<ServerConfig> parseCommandLine(int argc, const char* const argv[]) {
  ServerConfig config;
  std::vector<std::pair<std::string, std::string>> flags;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      config.show_help = true;
      return config;
    }
    std::string name = arg;
    std::string value;
    bool has_inline_value = false;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_inline_value = true;
    }
    static const char* const kFlags[] = {"--config", "--listen",     "--port",
                                         "--db",     "--desk-token", "--allow-origin"};
    bool known = false;
    for (const char* flag : kFlags) known = known || name == flag;
    if (!known) return Status::invalidArgument("unknown option \"" + arg + "\" (see --help)");
    if (!has_inline_value) {
      if (i + 1 >= argc) return Status::invalidArgument(name + ": needs a value (see --help)");
      value = argv[++i];
    }
    if (name == "--config") {
      config_path = value;
    } else {
      flags.emplace_back(name, value);
    }
  }

  if (!config_path.empty()) {
    std::ifstream in(config_path, std::ios::binary);
    if (!in) return Status::notFound("--config: cannot read \"" + config_path + "\"");
    std::stringstream text;
    text << in.rdbuf();
    Status status = applyConfigJson(text.str(), config);
    if (!status.ok()) return Status(status.code(), config_path + ": " + status.message());
  }

  bool origins_from_flags = false;
  for (const auto& [name, value] : flags) {
    if (name == "--listen") {
      config.listen = value;
    } else if (name == "--port") {
      Status status = parsePort(value, "--port", config.port);
      if (!status.ok()) return status;
    } else if (name == "--db") {
      config.db = value;
    } else if (name == "--desk-token") {
      config.desk_token = value;
    } else if (name == "--allow-origin") {
      // Flags replace the file's list rather than extend it, like every other flag.
      if (!origins_from_flags) config.allowed_origins.clear();
      origins_from_flags = true;
      config.allowed_origins.push_back(value);
    }
  }

  if (config.desk_token.empty()) {
    if (const char* env = std::getenv("KEFU_DESK_TOKEN")) config.desk_token = env;
  }
  if (config.desk_token.empty()) {
    return Status::invalidArgument(
        "no desk token: set \"desk_token\" in the config file, pass --desk-token, or set "
        "KEFU_DESK_TOKEN. Agents type it into /desk; without it nobody could answer escalations.");
  }
  for (const std::string& origin : config.allowed_origins) {
    if (origin != "*" && origin.rfind("http://", 0) != 0 && origin.rfind("https://", 0) != 0) {
      return Status::invalidArgument(
          "allowed origin \"" + origin +
          "\": must look like https://shop.example (scheme://host[:port])");
    }
    if (origin != "*" && origin.back() == '/') {
      return Status::invalidArgument("allowed origin \"" + origin +
                                     "\": must not end with '/' (browsers send no path)");
    }
  }
  if (config.db.empty()) return Status::invalidArgument("--db: must not be empty");
  return config;
}

std::string usageText() {
  return R"(kefu-server: the Kefu escalation server (stores escalations, agent console at /desk)

Usage: kefu-server [--config FILE] [options]

Options (override the config file):
  --config FILE        JSON config file (keys below)
  --listen ADDR        address to listen on              (default 127.0.0.1)
  --port N             port, 0 = any free port           (default 8787)
  --db PATH            SQLite database file, parent folders are created (default var/kefu.db)
  --desk-token T       token agents type into /desk (or env KEFU_DESK_TOKEN); required
  --allow-origin O     shop origin allowed to post escalations, e.g. https://shop.example;
                       repeat for several; replaces the file's list
  --help               this text

Config file keys:
  {"listen": "127.0.0.1", "port": 8787, "db": "var/kefu.db", "desk_token": "...",
   "allowed_origins": ["https://shop.example"], "max_body_bytes": 262144,
   "max_message_bytes": 10000, "rate_limit": {"per_minute": 30, "burst": 10}}

Stops cleanly on SIGINT/SIGTERM. API reference: docs/server-api.md
)";
}

}  // namespace kefu::server
