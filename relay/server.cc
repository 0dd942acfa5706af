#include "relay/server.h"

#include <sys/resource.h>

#include <boost/asio/post.hpp>

#include "core/directory/file_directory.h"
#include "core/obs/log.h"
#include "relay/federation/http_federator.h"
#include "relay/federation/ranker.h"
#include "relay/federation/redis_federator.h"
#include "relay/mailbox/memory.h"
#include "relay/mailbox/redis.h"
#include "relay/server_context.h"
#include "relay/session.h"

namespace rmb::relay {

namespace net = boost::asio;

namespace {

constexpr std::chrono::seconds kSweepInterval{5};

}  // namespace

uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

Server::Server(Config config)
    : config_(std::move(config)),
      io_(static_cast<int>(std::max(1u, config_.threads))),
      work_(net::make_work_guard(io_)),
      sessions_(config_.max_sessions),
      signals_(io_),
      sweep_timer_(io_),
      stop_timer_(io_) {}

Server::~Server() {
  if (!io_.stopped()) io_.stop();
}

absl::StatusOr<std::unique_ptr<Server>> Server::create(Config config) {
  std::unique_ptr<Server> server(new Server(std::move(config)));
  Server& s = *server;
  const Config& c = s.config_;
  core::set_log_level(c.debug ? core::LogLevel::kDebug : core::LogLevel::kInfo);

  if (!c.tls_cert.empty()) {
    s.tls_ = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    boost::system::error_code ec;
    s.tls_->use_certificate_chain_file(c.tls_cert, ec);
    if (!ec) s.tls_->use_private_key_file(c.tls_key, net::ssl::context::pem, ec);
    if (ec) return absl::InvalidArgumentError(core::cat("tls: ", ec.message()));
  }

  if (c.directory_override) {
    s.directory_ = c.directory_override;
  } else {
    auto directory = core::FileDirectory::open(c.directory);
    if (!directory.ok()) {
      return absl::Status(directory.status().code(),
                          core::cat("directory ", c.directory, ": ", directory.status().message()));
    }
    s.directory_ = std::move(*directory);
  }

  if (c.limit) s.limiter_ = std::make_unique<RateLimiter>(*c.limit, 2 * c.max_sessions);

  if (!c.redis.empty()) {
    RedisMailboxOptions options;
    options.url = c.redis;
    options.stream_maxlen = static_cast<uint32_t>(std::min<size_t>(c.mailbox_size, UINT32_MAX));
    options.stream_ttl_seconds = static_cast<uint32_t>(std::min<uint64_t>(c.mailbox_ttl, UINT32_MAX));
    options.max_queued_bytes = c.redis_store_queue_bytes;
    options.max_streams = c.max_mailboxes;
    auto redis = RedisMailbox::create(options);
    if (!redis.ok()) return redis.status();
    s.mailbox_ = std::move(*redis);
  } else {
    MemoryMailboxOptions options;
    options.per_session = c.mailbox_size;
    options.max_boxes = c.max_mailboxes;
    options.max_bytes = c.mailbox_bytes;
    options.on_drop = [&metrics = s.metrics_](const SessionId& id, std::string_view reason) {
      metrics.drops.with(reason).inc();
      core::log_info("drop ", reason, ": mail for ", id.to_string());
    };
    s.mailbox_ = std::make_unique<MemoryMailbox>(std::move(options));
  }

  RouterOptions router_options;
  router_options.domains = c.domains;
  router_options.mailbox_ttl = c.mailbox_ttl;
  router_options.twin_recheck = c.twin_recheck;
  router_options.twin_recheck_capacity = c.twin_cache;
  s.router_ = std::make_unique<Router>(std::move(router_options), *s.directory_, s.sessions_, *s.mailbox_, s.metrics_,
                                       s.limiter_.get());

  if (c.federation) {
    s.ranker_ = std::make_unique<Ranker>(std::chrono::seconds(c.ranker_period));
    FederationOptions options;
    options.scheme = c.federation_scheme;
    options.ca_file = c.federation_ca_file;
    options.queue_limit = c.federation_queue;
    options.queue_bytes = c.federation_queue_bytes;
    auto federator = std::make_unique<HttpFederator>(
        s.io_, options, *s.ranker_, [router = s.router_.get()](const rmb::Envelope& original, std::string reason) {
          router->on_federation_failure(original, reason);
        });
    HttpFederator* http = federator.get();
    s.metrics_.registry.add_collector([http](std::vector<core::metrics::FamilyData>& out) {
      FederationStats stats = http->stats();
      auto per_relay = [](std::string name, std::string help) {
        return core::metrics::FamilyData{.name = std::move(name),
                                         .help = std::move(help),
                                         .type = core::metrics::MetricType::kCounter,
                                         .label_names = {"relay"},
                                         .samples = {},
                                         .histograms = {}};
      };
      core::metrics::FamilyData success =
          per_relay("federation_message_success", "Envelopes accepted by a remote relay");
      core::metrics::FamilyData error = per_relay("federation_message_error", "Failed posts to a remote relay");
      for (const auto& [relay, counters] : stats.per_relay) {
        success.samples.push_back({{relay}, counters.success});
        error.samples.push_back({{relay}, counters.error});
      }
      out.push_back(std::move(success));
      out.push_back(std::move(error));
    });
    if (c.redis.empty()) {
      s.metrics_.registry.gauge_callback("relay_federation_pending", "Envelopes waiting to be forwarded",
                                         [http] { return static_cast<double>(http->stats().pending); });
    } else {
      // §6.1: the queue lives in Redis (relay.federation.stream), shared by the relay
      // processes on it and kept across restarts; the HttpFederator only posts.
      RedisFederatorOptions redis_options;
      redis_options.url = c.redis;
      redis_options.max_queued = c.federation_queue;
      redis_options.max_queued_bytes = c.federation_queue_bytes;
      redis_options.max_stream_entries = c.federation_stream_max;
      auto redis =
          RedisFederator::create(redis_options, *http, *s.directory_,
                                 [router = s.router_.get()](const rmb::Envelope& original, std::string reason) {
                                   router->on_federation_failure(original, reason);
                                 });
      if (!redis.ok()) return redis.status();
      RedisFederator* queue = redis->get();
      s.metrics_.registry.add_collector([queue](std::vector<core::metrics::FamilyData>& out) {
        using core::metrics::MetricType;
        RedisFederatorStats stats = queue->stats();
        out.push_back({"relay_federation_pending",
                       "Envelopes waiting to be forwarded by this process",
                       MetricType::kGauge,
                       {},
                       {{{}, stats.queued + stats.in_flight}},
                       {}});
        out.push_back({"relay_federation_stream_entries",
                       "Entries in relay.federation.stream (all processes)",
                       MetricType::kGauge,
                       {},
                       {{{}, stats.stream_len}},
                       {}});
        out.push_back({"relay_federation_claimed_total",
                       "Pending entries taken over for another attempt",
                       MetricType::kCounter,
                       {},
                       {{{}, stats.claimed}},
                       {}});
      });
      s.federator_ = std::move(*redis);
    }
    s.http_federator_ = std::move(federator);
    if (!s.federator_) s.federator_ = std::move(s.http_federator_);
    s.router_->set_federator(s.federator_.get());
  }

  s.metrics_.registry.gauge_callback("relay_sessions_connected", "Sessions connected to this process",
                                     [&sessions = s.sessions_] { return static_cast<double>(sessions.size()); });
  s.metrics_.registry.gauge_callback("relay_mailbox_depth", "Messages waiting in the mailbox",
                                     [&mailbox = *s.mailbox_] { return static_cast<double>(mailbox.depth()); });

  constexpr double kBurstSeconds = 10;
  s.ip_limits_ = std::unique_ptr<IpLimits>(
      new IpLimits{IpLimiter(c.ip_connections_per_second, c.ip_connections_per_second * kBurstSeconds),
                   IpLimiter(c.ip_pings_per_second, c.ip_pings_per_second * kBurstSeconds),
                   IpLimiter(c.ip_posts_per_second, c.ip_posts_per_second * kBurstSeconds)});
  s.ctx_ = std::unique_ptr<ServerContext>(new ServerContext{s.config_, s.io_, *s.directory_, s.sessions_, *s.mailbox_,
                                                            *s.router_, s.metrics_, *s.ip_limits_});
  auto endpoint = parse_listen_address(c.listen);
  if (!endpoint.ok()) return endpoint.status();
  auto listener = Listener::open(*s.ctx_, s.tls_.get(), *endpoint);
  if (!listener.ok()) return listener.status();
  s.listener_ = std::move(*listener);
  return server;
}

void Server::schedule_sweep() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    if (auto* memory = dynamic_cast<MemoryMailbox*>(mailbox_.get())) memory->purge_expired();
    schedule_sweep();
  });
}

void Server::run() {
  if (config_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
      if (ec) return;
      core::log_info("signal ", signal, ": shutting down");
      stop();
    });
  }
  listener_->start();
  schedule_sweep();
  core::log_info("rmb-relay listening on ", config_.listen, " (port ", port(), ", ", config_.threads, " threads, ",
                 tls_ ? "tls" : "plain http", ", mailbox ", config_.redis.empty() ? "memory" : "redis", ", domains ",
                 config_.domains.empty() ? std::string("none") : absl::StrJoin(config_.domains, ","), ")");
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < std::max(1u, config_.threads); ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& t : threads) t.join();
  core::log_info("rmb-relay stopped");
}

void Server::stop() {
  if (stopping_.exchange(true)) return;
  net::post(io_, [this] {
    listener_->stop();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    sweep_timer_.cancel();
    auto all = sessions_.all();
    core::log_info("closing ", all.size(), " sessions");
    for (auto& session : all) session->close(CloseCause::kShutdown);
    wait_for_sessions(std::chrono::steady_clock::now() + config_.shutdown_grace);
  });
}

void Server::wait_for_sessions(std::chrono::steady_clock::time_point deadline) {
  if (sessions_.size() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (sessions_.size() > 0) core::log_warn(sessions_.size(), " sessions did not close in time");
    // A short moment for the close frames just queued to reach the wire.
    stop_timer_.expires_after(std::chrono::milliseconds(100));
    stop_timer_.async_wait([this](boost::system::error_code) {
      work_.reset();
      io_.stop();
    });
    return;
  }
  stop_timer_.expires_after(std::chrono::milliseconds(20));
  stop_timer_.async_wait([this, deadline](boost::system::error_code) { wait_for_sessions(deadline); });
}

}  // namespace rmb::relay
