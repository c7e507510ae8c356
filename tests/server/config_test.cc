#include "config.h"

#include <doctest/doctest.h>

#include <fstream>
#include <vector>

#include "test_util.h"

using namespace kefu::server;
using kefu::server::testing::TempDir;

namespace {

StatusOr<ServerConfig> parse(std::vector<const char*> args) {
  args.insert(args.begin(), "kefu-server");
  return parseCommandLine(static_cast<int>(args.size()), args.data());
}

}  // namespace

TEST_CASE("the config file sets every key and flags override it") {
  TempDir dir;
  std::string path = dir.file("server.json");
  std::ofstream(path) << R"({"listen": "0.0.0.0", "port": 9000, "db": "/tmp/x.db",
    "desk_token": "from-file-token-123", "allowed_origins": ["https://a.example"],
    "max_body_bytes": 1000, "max_message_bytes": 500,
    "rate_limit": {"per_minute": 12, "burst": 4}})";
  StatusOr<ServerConfig> file_only = parse({"--config", path.c_str()});
  REQUIRE_MESSAGE(file_only.ok(), file_only.status().message());
  CHECK(file_only->listen == "0.0.0.0");
  CHECK(file_only->port == 9000);
  CHECK(file_only->db == "/tmp/x.db");
  CHECK(file_only->desk_token == "from-file-token-123");
  CHECK(file_only->allowed_origins == std::vector<std::string>{"https://a.example"});
  CHECK(file_only->max_body_bytes == 1000);
  CHECK(file_only->max_message_bytes == 500);
  CHECK(file_only->rate_limit.per_minute == 12);
  CHECK(file_only->rate_limit.burst == 4);

  // Flags win even when they come before --config.
  StatusOr<ServerConfig> both = parse({"--port=9100", "--config", path.c_str(), "--db", "other.db",
                                       "--allow-origin", "http://b.example", "--allow-origin",
                                       "http://c.example:8080", "--desk-token", "flag-token"});
  REQUIRE_MESSAGE(both.ok(), both.status().message());
  CHECK(both->port == 9100);
  CHECK(both->db == "other.db");
  CHECK(both->desk_token == "flag-token");
  CHECK(both->allowed_origins ==
        std::vector<std::string>{"http://b.example", "http://c.example:8080"});
  CHECK(both->max_body_bytes == 1000);
}

TEST_CASE("defaults match docs/server-api.md") {
  StatusOr<ServerConfig> config = parse({"--desk-token", "t0ken-t0ken-t0ken"});
  REQUIRE(config.ok());
  CHECK(config->listen == "127.0.0.1");
  CHECK(config->port == 8787);
  CHECK(config->db == "var/kefu.db");
  CHECK(config->max_body_bytes == 256 * 1024);
  CHECK(config->max_message_bytes == 10000);
  CHECK(config->allowed_origins.empty());
}

TEST_CASE("bad configurations are refused with a message naming the problem") {
  TempDir dir;
  unsetenv("KEFU_DESK_TOKEN");
  StatusOr<ServerConfig> no_token = parse({"--port", "8787"});
  CHECK_FALSE(no_token.ok());
  CHECK(no_token.status().message().find("no desk token") != std::string::npos);

  CHECK(parse({"--desk-token", "t", "--port", "http"}).status().message().find("--port") == 0);
  CHECK(parse({"--desk-token", "t", "--port", "70000"}).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(parse({"--desk-token", "t", "--bogus"}).status().message().find("--bogus") !=
        std::string::npos);
  CHECK(parse({"--desk-token"}).status().message().find("needs a value") != std::string::npos);
  CHECK(parse({"--desk-token", "t", "--allow-origin", "shop.example"})
            .status()
            .message()
            .find("shop.example") != std::string::npos);
  CHECK(parse({"--config", dir.file("missing.json").c_str()}).status().code() ==
        StatusCode::kNotFound);

  std::string typo = dir.file("typo.json");
  std::ofstream(typo) << R"({"desk_token": "x", "allowed_origin": ["https://a.example"]})";
  StatusOr<ServerConfig> typo_config = parse({"--config", typo.c_str()});
  CHECK(typo_config.status().message().find("allowed_origin: unknown key") != std::string::npos);

  std::string bad_type = dir.file("bad.json");
  std::ofstream(bad_type) << R"({"desk_token": "x", "rate_limit": {"burst": 0}})";
  CHECK(parse({"--config", bad_type.c_str()}).status().message().find("rate_limit.burst") !=
        std::string::npos);
}

TEST_CASE("KEFU_DESK_TOKEN supplies the token when the file and flags do not") {
  setenv("KEFU_DESK_TOKEN", "env-token-1234567", 1);
  StatusOr<ServerConfig> config = parse({});
  unsetenv("KEFU_DESK_TOKEN");
  REQUIRE(config.ok());
  CHECK(config->desk_token == "env-token-1234567");
}

TEST_CASE("--help needs nothing else") {
  StatusOr<ServerConfig> config = parse({"--help"});
  REQUIRE(config.ok());
  CHECK(config->show_help);
  CHECK(usageText().find("--allow-origin") != std::string::npos);
}
