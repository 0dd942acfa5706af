// rmb-relay: flags -> Config -> Server (relay/server.h).
#include <csignal>
#include <iostream>
#include <vector>

#include "core/directory/substrate/substrate_directory.h"
#include "relay/config.h"
#include "relay/log.h"
#include "relay/server.h"

int main(int argc, char** argv) {
  std::string error;
  auto parsed = rmb::relay::parse_flags_or_help(argc, argv, &error);
  if (auto* help = std::get_if<rmb::relay::HelpText>(&parsed)) {
    if (!error.empty()) {
      std::cerr << "rmb-relay: " << error << "\n(see rmb-relay --help)\n";
      return 2;
    }
    std::cout << help->text;
    return 0;
  }
  auto& config = std::get<rmb::relay::Config>(parsed);
  if (!config.substrate.empty()) {
    rmb::core::SubstrateDirectoryOptions options;
    options.rpc.urls = config.substrate;
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
    rmb::relay::log_error("rmb-relay: ", server.status().message());
    return 1;
  }
  rmb::relay::log_debug("open file limit ", files);
  (*server)->run();
  return 0;
}
