// rmb-relay: flags -> Config -> Server (relay/server.h).
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

#include "core/directory/substrate/substrate_directory.h"
#include "relay/config.h"
#include "relay/log.h"
#include "relay/server.h"

// `--substrate URL` (repeatable; also --substrate=URL): read twins from tfchain instead of
// the --directory file (docs/tfchain.md). Taken out of argv before the relay's own flags.
static std::vector<std::string> take_substrate_flags(int& argc, char** argv) {
  std::vector<std::string> urls;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--substrate") == 0 && i + 1 < argc) {
      urls.emplace_back(argv[++i]);
    } else if (std::strncmp(argv[i], "--substrate=", 12) == 0) {
      urls.emplace_back(argv[i] + 12);
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return urls;
}

int main(int argc, char** argv) {
  const std::vector<std::string> substrate = take_substrate_flags(argc, argv);
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
  if (!substrate.empty()) {
    rmb::core::SubstrateDirectoryOptions options;
    options.rpc.urls = substrate;
    auto chain = rmb::core::SubstrateDirectory::open(std::move(options));
    if (!chain.ok()) {
      std::cerr << "rmb-relay: --substrate: " << chain.status().message() << "\n";
      return 2;
    }
    config.directory_override = std::shared_ptr<rmb::core::TwinDirectory>(*std::move(chain));
  }
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
