// rmb-peer: flags -> keys -> own twin (-> chain update) -> relay links -> engine -> gRPC API
// (+ metrics, + Redis front door) until SIGINT/SIGTERM.
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <iostream>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/synchronization/mutex.h"
#include "compat/redis_front_door.h"
#include "core/directory/file_directory.h"
#include "core/directory/substrate/substrate_directory.h"
#include "core/obs/log.h"
#include "core/obs/metrics_http.h"
#include "core/protocol/identity/secret.h"
#include "core/util/bytes.h"
#include "gateway/api/gateway_service.h"
#include "gateway/api/grpc_server.h"
#include "gateway/api/info.h"
#include "gateway/config/peer_config.h"
#include "gateway/config/startup.h"
#include "gateway/config/version.h"
#include "gateway/engine/engine.h"
#include "gateway/engine/identity.h"
#include "gateway/link/relay_links.h"
#include "gateway/metrics/link_metrics.h"

namespace {

using namespace rmb;

int run(const gateway::config::PeerConfig& config, sigset_t stop_signals) {
  // The twin directory.
  std::unique_ptr<core::TwinDirectory> directory;
  core::SubstrateDirectory* chain = nullptr;
  if (!config.directory.empty()) {
    auto file = core::FileDirectory::open(config.directory);
    if (!file.ok()) {
      core::log_error("rmb-peer: --directory: ", file.status().message());
      return 1;
    }
    directory = std::move(*file);
  } else {
    core::SubstrateDirectoryOptions options;
    options.rpc.urls = config.substrate;
    options.rpc.ca_file = config.ca_file;
    auto opened = core::SubstrateDirectory::open(std::move(options));
    if (!opened.ok()) {
      core::log_error("rmb-peer: --substrate: ", opened.status().message());
      return 1;
    }
    chain = opened->get();
    directory = std::move(*opened);
  }

  // Keys and own twin id (§8.2 steps 1-2).
  auto identity = gateway::load_identity(config.key_type, config.mnemonic, *directory, std::chrono::seconds(60));
  if (!identity.ok()) {
    core::log_error("rmb-peer: ", identity.status().message());
    return 1;
  }
  if (!identity->e2e) {
    core::log_warn(
        "the secret is a URI with a derivation path or password: this peer has no e2e key, so it cannot "
        "receive encrypted messages (rmb-rs refuses such a secret)");
  }
  const uint32_t twin = identity->twin;
  std::optional<core::PublicKey33> e2e_pk;
  if (identity->e2e) e2e_pk = identity->e2e->public_key();

  if (chain != nullptr && !config.no_update) {
    auto relays = gateway::config::relay_domains(config.relays);
    if (!relays.ok()) {
      core::log_error("rmb-peer: ", relays.status().message());
      return 1;
    }
    auto signer = core::signer_from_uri(config.key_type, config.mnemonic);
    if (!signer.ok()) return 1;  // load_identity accepted the same secret
    auto updated = gateway::config::publish_twin(*chain, twin, std::shared_ptr<const core::Signer>(std::move(*signer)),
                                                 *relays, e2e_pk);
    if (!updated.ok()) {
      core::log_error("rmb-peer: ", updated.status().message());
      return 1;
    }
    if (*updated) core::log_info("published relays and e2e key of twin ", twin, " on chain");
  }

  // The links sign their JWTs with a signer of their own, so that they never depend on
  // the engine's lifetime.
  auto link_signer = core::signer_from_uri(config.key_type, config.mnemonic);
  if (!link_signer.ok()) return 1;
  gateway::LinkOptions link_options;
  link_options.urls = config.relays;
  link_options.signer = link_signer->get();
  link_options.twin = twin;
  link_options.ca_file = config.ca_file;
  if (auto status = gateway::check_link_options(link_options); !status.ok()) {
    std::cerr << "rmb-peer: --relay: " << status.message() << "\n(see rmb-peer --help)\n";
    return 2;
  }

  // Before io: the metrics endpoint's connections read it until the I/O threads are joined.
  core::metrics::Registry registry;
  unsigned threads = config.threads != 0 ? config.threads : std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  // The hint tells Asio how many threads run it: with one, a handler posted from that thread
  // goes to its private queue, without the scheduler's lock and without waking anyone.
  boost::asio::io_context io(static_cast<int>(threads));
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  auto links = gateway::make_relay_links(io, std::move(link_options));

  gateway::api::InfoFacts facts;
  facts.twin = twin;
  facts.key_type = config.key_type;
  facts.account = identity->signer->account();
  facts.e2e_public_key = e2e_pk;
  facts.version = gateway::config::kPeerVersion;

  gateway::EngineOptions engine_options;
  engine_options.version = gateway::config::kPeerVersion;
  engine_options.resend_after = std::chrono::seconds(config.resend_after);
  engine_options.resend_max = std::chrono::seconds(config.resend_max);
  engine_options.reply_cache_entries = config.reply_cache;
  engine_options.reply_cache_bytes = config.reply_cache_mb << 20;
  engine_options.max_pending = config.max_pending;
  engine_options.max_incoming_in_flight = config.max_incoming;
  engine_options.service_grace = std::chrono::milliseconds(config.service_grace_ms);
  engine_options.metrics = &registry;
  gateway::Engine engine(io, std::move(*identity), *directory, *links, engine_options);
  engine.start();

  // The front doors, started in this order; stop_all is the one way out once the engine
  // runs, on a failed start as on a signal: the front doors that started, then the engine,
  // the links and the I/O threads.
  std::unique_ptr<gateway::api::GrpcServer> server;
  std::shared_ptr<core::metrics::MetricsServer> metrics;
  std::unique_ptr<compat::RedisFrontDoor> redis;
  auto stop_all = [&](int exit_code) {
    if (redis) redis->stop();
    if (server) server->shutdown();
    if (metrics) metrics->stop();
    engine.stop();
    links->stop();
    work.reset();
    io.stop();
    for (auto& t : pool) t.join();
    return exit_code;
  };

  gateway::api::GatewayService service(engine, engine,
                                       [&facts, &links] { return gateway::api::make_info(facts, links->status()); });
  auto grpc = gateway::api::GrpcServer::start(config.grpc_listen, &service);
  if (!grpc.ok()) {
    core::log_error("rmb-peer: ", grpc.status().message());
    return stop_all(1);
  }
  server = std::move(*grpc);

  if (!config.metrics_listen.empty()) {
    gateway::metrics::register_link_metrics(registry, *links);
    auto started = core::metrics::MetricsServer::start(io, config.metrics_listen, registry);
    if (!started.ok()) {
      core::log_error("rmb-peer: ", started.status().message());
      return stop_all(1);
    }
    metrics = *started;
    core::log_info("metrics on http://", metrics->address(), "/metrics");
  }

  if (!config.redis.empty()) {
    compat::RedisFrontDoorOptions options;
    options.url = config.redis;
    options.instance = config.redis_instance;
    options.max_orphan_replies = config.redis_max_orphan_replies;
    options.pop_batch = config.redis_pop_batch;
    auto started = compat::start_redis_front_door(std::move(options), engine, engine);
    if (!started.ok()) {
      core::log_error("rmb-peer: --redis: ", started.status().message());
      return stop_all(1);
    }
    redis = std::move(*started);
    core::log_info("serving the Redis queues of ", config.redis,
                   config.redis_defaulted ? " (rmb-rs's default address; --no-redis turns them off)" : "");
  }

  core::log_info("rmb-peer ready: twin ", twin, ", grpc ", server->address());

  int signal = 0;
  sigwait(&stop_signals, &signal);
  core::log_info("rmb-peer: ", signal == SIGINT ? "SIGINT" : "SIGTERM", ", shutting down");
  stop_all(0);
  core::log_info("rmb-peer: stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto flags = rmb::gateway::config::parse_peer_flags(argc, argv, [](const char* name) { return std::getenv(name); });
  using Kind = rmb::gateway::config::ParsedFlags::Kind;
  switch (flags.kind) {
    case Kind::kHelp:
      std::cout << flags.text;
      return 0;
    case Kind::kVersion:
      std::cout << "rmb-peer " << rmb::gateway::config::kPeerVersion << "\n";
      return 0;
    case Kind::kError:
      std::cerr << "rmb-peer: " << flags.text << "\n(see rmb-peer --help)\n";
      return 2;
    case Kind::kRun:
      break;
  }
  if (flags.config.debug) rmb::core::set_log_level(rmb::core::LogLevel::kDebug);
  {
    namespace config = rmb::gateway::config;
    const auto& c = flags.config;
    if (c.relay_defaulted) core::log_info("rmb-peer: no --relay given: using rmb-rs's default ", config::kDefaultRelay);
    if (c.substrate_defaulted) {
      core::log_info("rmb-peer: neither --directory nor --substrate given: reading twins from rmb-rs's default ",
                     config::kDefaultSubstrate);
    }
    if (!c.uploads.empty()) {
      core::log_warn("rmb-peer: --uploads ", c.uploads, " ignored: rmb-cpp has no upload endpoint");
    }
  }
  // SIGINT/SIGTERM are blocked in every thread (threads inherit the mask) and taken by
  // sigwait in run(): no async-signal-safety concerns, one orderly shutdown.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Debian's Abseil checks every absl::Mutex acquisition (gRPC's locks) for lock-order
  // cycles, a debugging aid that was 2-4% of a busy peer's CPU (GraphCycles::GetId).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return run(flags.config, stop_signals);
}
