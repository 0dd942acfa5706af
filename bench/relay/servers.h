#pragma once
// Starting the two servers under test as child processes on free loopback ports, and
// waiting until they answer.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/relay/child_process.h"

namespace rmb::bench {

struct RunningServer {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
};

struct RelayLaunch {
  std::string binary;
  std::string directory_file;
  std::string domain;
  std::vector<std::string> extra_args;
  std::string log_path;
  std::vector<int> cpus;
};

// rmb-relay --listen 127.0.0.1:<free> --directory <file> --domain <d> <extra...>;
// ready when GET /healthz answers 200.
absl::StatusOr<RunningServer> start_relay(const RelayLaunch& launch);

// nats-server -a 127.0.0.1 -p <free>; ready when it greets with INFO.
absl::StatusOr<RunningServer> start_nats(const std::string& binary, const std::string& log_path,
                                         const std::vector<int>& cpus);

}  // namespace rmb::bench
