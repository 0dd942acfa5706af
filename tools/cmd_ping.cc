// `rmb ping`: round trips to a twin, like ping(8). Each probe is an `rmb.version` request,
// which every rmb-peer (Rust or C++) answers itself, so no service needs to run there.
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <mutex>

#include "tools/latency_stats.h"
#include "tools/peer_client.h"
#include "tools/signal_waiter.h"

namespace rmb::tools {
namespace {

using Clock = std::chrono::steady_clock;

int ping(const Invocation& inv) {
  po::options_description options;
  add_peer_option(options);
  options.add_options()("dst", po::value<std::string>()->required()->value_name("TWIN[:SID]"), "twin to ping")(
      "count,c", po::value<size_t>()->default_value(0)->value_name("N"), "stop after N probes (0: until Ctrl-C)")(
      "interval,i", po::value<double>()->default_value(1.0)->value_name("SECS"), "wait between probes");
  add_timeout_option(options, 5);
  auto vm = parse_options(inv,
                          "Measure round trips to a twin: each probe asks the remote rmb-peer for its version "
                          "(rmb.version). Prints one line per probe and ping-like statistics at the end.\n"
                          "Exit codes: 0 at least one reply, 1/3 no reply (as rmb call), 2 usage.",
                          "--dst TWIN [--count N] [--interval SECS] [--timeout SECS] [--peer ADDR]", options);
  if (!vm) return kExitOk;
  const std::string peer = peer_address(*vm);
  api::v1::CallRequest request;
  *request.mutable_destination() = parse_destination(inv, (*vm)["dst"].as<std::string>());
  request.set_command("rmb.version");
  const auto timeout = timeout_option(inv, *vm);
  request.set_ttl_seconds(static_cast<uint32_t>((timeout.count() + 999) / 1000));
  const size_t count = (*vm)["count"].as<size_t>();
  const double interval = (*vm)["interval"].as<double>();
  if (!(interval >= 0.01) || interval > 3600) throw usage_error(inv, "--interval must be 0.01..3600 seconds");
  const std::string dst = format_address(request.destination());
  const CallContext context{peer, "rmb.version", dst, (*vm)["timeout"].as<double>()};

  SignalWaiter signals;
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  signals.on_signal([&](int) {
    std::lock_guard lock(mutex);
    stop = true;
    wake.notify_all();
  });
  auto stub = api::v1::Gateway::NewStub(connect_peer(peer));
  std::cout << "PING twin " << dst << " (rmb.version) through rmb-peer " << peer << std::endl;
  LatencyStats stats;
  size_t sent = 0;
  std::optional<RpcError> last_error;
  const auto start = Clock::now();
  for (size_t seq = 1; count == 0 || seq <= count; ++seq) {
    {
      std::lock_guard lock(mutex);
      if (stop) break;
    }
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + timeout);
    api::v1::Reply reply;
    const auto t0 = Clock::now();
    const grpc::Status status = stub->Call(&ctx, request, &reply);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    ++sent;
    if (status.ok()) {
      stats.add(ms);
      std::cout << "reply from twin " << format_address(reply.source()) << ": seq=" << seq << " version "
                << reply.data() << " time=" << format_ms(ms) << std::endl;
    } else {
      last_error = describe(status, context);
      std::cout << "no reply from twin " << dst << ": seq=" << seq << " " << one_line(*last_error) << std::endl;
    }
    if (count != 0 && seq == count) break;
    std::unique_lock lock(mutex);
    wake.wait_for(lock, std::chrono::duration<double>(interval), [&] { return stop; });
    if (stop) break;
  }
  const double total_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const auto s = stats.summary();
  const double loss = sent == 0 ? 0 : 100.0 * static_cast<double>(sent - s.count) / static_cast<double>(sent);
  char line[256];
  std::snprintf(line, sizeof line, "%zu probes, %zu replies, %.0f%% loss, time %.0f ms\n", sent, s.count, loss,
                total_ms);
  std::string out = "\n--- twin " + dst + " ping statistics ---\n" + line;
  if (s.count > 0) {
    std::snprintf(line, sizeof line, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", s.min_ms, s.mean_ms, s.max_ms,
                  s.mdev_ms);
    out += line;
  }
  print_out(out);
  if (s.count > 0) return kExitOk;
  if (last_error) throw to_cli_error(*last_error);
  return kExitFailure;  // stopped before the first probe finished
}

const RegisterCommand kRegister({"ping", "measure round trips to a twin (rmb.version)", ping});

}  // namespace
}  // namespace rmb::tools
