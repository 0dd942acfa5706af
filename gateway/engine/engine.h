#pragma once
// The RMB work of rmb-peer (PROTOCOL.md §8.5-§8.10, §9): stamps, encrypts, signs and sends
// requests and replies through the relay links; validates, decrypts, deduplicates and
// dispatches what the relays deliver; correlates replies with pending requests and expires
// the unanswered at their deadline.
//
// Notes for the front doors:
// - Identity::e2e is std::optional (see identity.h); build it with load_identity().
// - Destinations repeated within one OutgoingRequest are sent once: on_outcome runs once per
//   distinct destination.
// - Handlers (on_outcome/on_done, RequestSink::offer) run on the io_context's threads, never
//   inside request() itself; outcomes of one request are delivered one at a time, on_done last.
// - Destroy the Engine only after the io_context has stopped running (its threads joined):
//   pending timers and sends hold on to its internals until then.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/directory/twin_directory.h"
#include "core/obs/metrics.h"
#include "core/util/clock.h"
#include "gateway/engine/identity.h"
#include "gateway/engine/stats.h"
#include "gateway/front_door.h"
#include "gateway/link/relay_links.h"

namespace rmb::gateway {

struct EngineOptions {
  // Outgoing requests waiting for outcomes; beyond it request() fails RESOURCE_EXHAUSTED.
  size_t max_pending = 10000;
  // Incoming requests handed to services and not yet answered; beyond it new requests are
  // answered with an RMB error at once (code 0 "gateway is busy ...").
  size_t max_incoming_in_flight = 10000;
  // How long a (source, uid) request is remembered for duplicate suppression (the
  // request's own validity window, capped at this).
  std::chrono::seconds dedupe_window{1800};
  // Remembered (source, uid) pairs; the oldest are forgotten first when full.
  size_t dedupe_capacity = 100000;
  // Replies kept to answer a repeated request again (each until its request expires); the
  // entry that expires first is forgotten when either bound is reached.
  size_t reply_cache_entries = 100000;
  size_t reply_cache_bytes = 256u << 20;
  // An unanswered request is sent again (same uid, same bytes) this long after it left,
  // then at doubling intervals up to resend_max, until answered or expired; 0 = only when
  // the relay link it may have gone through drops.
  std::chrono::milliseconds resend_after{10000};
  std::chrono::milliseconds resend_max{60000};
  // After start(), requests for a command no service serves yet wait this long for one to
  // register (services reconnect after an rmb-peer restart) before they go to the fallback
  // sink or are refused; at most max_parked of them (beyond: handled at once).
  std::chrono::milliseconds service_grace{3000};
  size_t max_parked = 1000;
  // Answer to remote `rmb.version` requests (a JSON string is made of it), e.g. "v1.5.1".
  std::string version;
  // Where the engine registers its metrics (rmb-peer's registry, served on --metrics-listen);
  // must outlive the Engine. Null: a registry of the engine's own (stats() still counts).
  core::metrics::Registry* metrics = nullptr;
  // Unix seconds, read for every stamp and expiry check of an envelope. The fuzzer fixes it
  // so that one input takes one path (an envelope's expiry otherwise depends on the hour).
  std::function<uint64_t()> now = core::unix_now;
};

class Engine : public Outbox, public ServiceRegistry {
 public:
  // `directory` and `links` must outlive the Engine.
  Engine(boost::asio::io_context& io, Identity identity, core::TwinDirectory& directory, RelayLinks& links,
         EngineOptions options);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Starts the relay links with this engine as their frame handler.
  void start();
  // Stops the links; pending requests end with their outcomes (expired) and on_done.
  void stop();

  const EngineStats& stats() const;
  const Identity& identity() const;

  // Outbox
  absl::StatusOr<std::string> request(OutgoingRequest request, OutcomeHandler on_outcome, DoneHandler on_done) override;
  void cancel(const std::string& uid) override;
  void reply(const std::string& uid, const core::AddressText& destination, ServiceReply reply) override;

  // ServiceRegistry
  void add_service(const std::string& command, std::shared_ptr<RequestSink> sink) override;
  void remove_service(const std::string& command, const RequestSink* sink) override;
  void set_fallback(std::shared_ptr<RequestSink> sink) override;
  void set_orphan_reply_sink(std::shared_ptr<OrphanReplySink> sink) override;

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace rmb::gateway
