// rmb-relay: flags -> Config -> Server (relay/server.h).
#include <csignal>
#include <iostream>
#include <vector>

#include "core/directory/substrate/substrate_directory.h"
#include "core/obs/log.h"
#include "core/redis/redis_conn.h"
#include "relay/config.h"
#include "relay/server.h"

int main(int argc, char** argv) {
  std::string error;
  auto parsed = rmb::relay::parse_flags_or_help(argc, argv, &error);
  if (auto* help = std::get_if<rmb::relay::HelpText>(&parsed)) {
    if (!error.empty()) {
      std::cerr << "rmb-relay: " << error << "\n(see rmb-relay --help)\n";
      return 2;
    }
    if (help->version) {
      std::cout << "rmb-relay " << rmb::relay::kRelayVersion << "\n";
      return 0;
    }
    std::cout << help->text;
    return 0;
  }
  auto& config = std::get<rmb::relay::Config>(parsed);
  if (config.redis_defaulted) {
    // Nobody chose where mail lives: use rmb-rs's default address, but only if something
    // answers there. Falling back to memory silently would lose mail on every restart
    // without anyone having chosen that; an explicit -r URL is retried in the background
    // instead (in a chart, Redis may come up after the relay).
    auto url = rmb::core::parse_redis_url(config.redis);
    auto probe = url.ok() ? rmb::core::RedisConn::connect(*url, std::chrono::seconds(2)) : url.status();
    if (!probe.ok()) {
      std::cerr << "rmb-relay: no Redis answers at " << config.redis
                << " (rmb-rs's default -r/--redis: " << probe.status().message()
                << "); start one there, pass -r URL, or --mailbox memory to keep "
                << "mail in memory (lost when the relay stops)\n";
      return 1;
    }
    rmb::core::log_info("mailbox and federation queue in Redis at ", config.redis, " (rmb-rs's default -r)");
  }
  if (!config.substrate.empty()) {
    if (config.substrate_defaulted) {
      rmb::core::log_info("no --directory or --substrate: reading twins from the grid's main chain, ",
                          config.substrate.front(), " (rmb-rs's default)");
    }
    rmb::core::SubstrateDirectoryOptions options;
    options.rpc.urls = config.substrate;
    options.cache_capacity = config.twin_cache;
    options.cache_ttl = config.twin_cache_ttl;
    auto chain = rmb::core::SubstrateDirectory::open(std::move(options));
    if (!chain.ok()) {
      std::cerr << "rmb-relay: --substrate: " << chain.status().message() << "\n";
      return 2;
    }
    config.directory_override = std::shared_ptr<rmb::core::TwinDirectory>(*std::move(chain));
  }
  // A peer or Redis closing under a write must cost that connection, not the relay (Asio
  // sends with MSG_NOSIGNAL; hiredis and OpenSSL write without it).
  std::signal(SIGPIPE, SIG_IGN);
  const uint64_t files = rmb::relay::raise_open_file_limit();
  auto server = rmb::relay::Server::create(std::move(config));
  if (!server.ok()) {
    rmb::core::log_error("rmb-relay: ", server.status().message());
    return 1;
  }
  rmb::core::log_debug("open file limit ", files);
  (*server)->run();
  return 0;
}
