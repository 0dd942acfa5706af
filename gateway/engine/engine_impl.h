#pragma once
// Engine internals shared by engine.cc (facade, services, lifecycle), outgoing.cc (requests
// and their outcomes), incoming.cc (frames from the relays) and writer.cc (§8.6).
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/directory/twin_directory.h"
#include "core/protocol/e2e/shared_key_cache.h"
#include "gateway/engine/engine.h"
#include "gateway/engine/expiring_set.h"
#include "gateway/engine/pending_table.h"
#include "gateway/engine/reply_cache.h"
#include "gateway/engine/service_table.h"
#include "rmb/types.pb.h"

namespace rmb::gateway {

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

// The handlers of one outgoing request. Its outcomes are delivered one at a time and
// on_done after the last of them: a request to one destination has one outcome, run by the
// thread that settles it; a fan-out's run on `strand`.
struct RequestDelivery {
  RequestDelivery(boost::asio::io_context& io, size_t total) : total(total) {
    if (total > 1) strand.emplace(boost::asio::make_strand(io));
  }
  std::optional<Strand> strand;  // fan-outs only
  Outbox::OutcomeHandler on_outcome;
  Outbox::DoneHandler on_done;
  const size_t total;    // outcomes owed to the caller
  size_t delivered = 0;  // strand only (one destination: its one outcome)
  std::atomic<bool> cancelled{false};
};

class Engine::Impl : public std::enable_shared_from_this<Engine::Impl> {
 public:
  using Clock = std::chrono::steady_clock;

  Impl(boost::asio::io_context& io, Identity identity, core::TwinDirectory& directory, RelayLinks& links,
       EngineOptions options);

  // outgoing.cc
  absl::StatusOr<std::string> request(OutgoingRequest request, OutcomeHandler on_outcome, DoneHandler on_done);
  void cancel(const std::string& uid);
  void expire_all();

  // deadlines.cc
  void stop_deadline_timer();

  // resend.cc: at-least-once for outgoing requests (see there).
  void start_resends();
  void stop_resends();
  void on_link(size_t link, bool up, bool any_up);
  void resend(bool all);
  // The request left the pending table: replies still coming for it are repeats.
  void remember_finished(const PendingRequest& request);
  bool finished(const std::string& uid);

  // services_grace.cc: requests for commands no service has registered for yet, held for
  // EngineOptions::service_grace after start().
  void start_grace();
  bool park(const IncomingRequest& request);
  void service_added(const std::string& command);
  // Hands what waited to the services (or refuses it); on stop (`offer` false) it is
  // dropped: its callers send it again to the next run.
  void end_grace(bool offer = true);

  // incoming.cc
  void on_frame(std::string frame);
  void reply(const std::string& uid, const core::AddressText& destination, ServiceReply reply);

  // writer.cc: PROTOCOL.md §8.6. Looks up the destination, encrypts for its pk (when this
  // twin publishes one as well), sets the source, stamps, signs and hands the frame to the links (deadline: the
  // envelope's ttl). `done` gets nullopt once a link took the frame, else the RMB error (103, 500, ...), and the signed
  // frame whenever one was made (also when no link took it), else null.
  using WriteDone = std::function<void(std::optional<RmbError>, std::shared_ptr<const std::string> frame)>;
  void write(std::shared_ptr<rmb::Envelope> envelope, WriteDone done);

  boost::asio::io_context& io;
  const Identity identity;
  RelayLinks& links;
  const EngineOptions options;
  EngineStats stats;
  // Asked directly: the directory caches itself (tfchain: bounded, expiring, one lookup per
  // twin in flight; a file: all in memory). A second cache here kept data twice as stale.
  core::TwinDirectory& twins;
  std::optional<core::SharedKeyCache> keys;  // absent without an e2e key
  PendingTable pending;
  ServiceTable services;
  std::atomic<bool> stopped{false};
  std::mutex orphan_mu;
  std::shared_ptr<OrphanReplySink> orphan_sink;  // guarded by orphan_mu

 private:
  // outgoing.cc
  void send_to(const std::shared_ptr<PendingRequest>& request, size_t index,
               const std::shared_ptr<const rmb::Envelope>& base);
  // Where an outcome may run: here (an I/O thread that settled it) or, inside request()
  // (which must not call its own handlers) and from stop(), posted to the io_context.
  enum class Handoff { kInline, kPost };
  void deliver(const Claim& claim, Outcome outcome, Handoff handoff = Handoff::kInline);
  void on_deadline(const std::string& uid, Handoff handoff = Handoff::kInline);
  // deadlines.cc: the one timer that expires pending requests (PendingTable::due).
  void watch_deadline(Clock::time_point deadline);
  void set_deadline_timer();
  void sync_pending_gauge();

  // incoming.cc
  void validate_signed(std::shared_ptr<rmb::Envelope> envelope);
  void reject(const rmb::Envelope& envelope, uint32_t code, std::string message);
  void dispatch(std::shared_ptr<rmb::Envelope> envelope);
  void handle_reply(const rmb::Envelope& envelope);
  void handle_request(const rmb::Envelope& envelope);
  void offer_to_service(const IncomingRequest& incoming, bool may_park);
  void answer_version(const rmb::Envelope& request, std::string cache_key);
  void send_error(const rmb::Envelope& request, uint64_t expiration, uint32_t code, std::string message,
                  std::string cache_key = {});
  // `cache_key` (incoming_key of the request answered) keeps the reply to answer a repeat of
  // the request with; empty for answers to requests that were never accepted.
  void send_reply(std::shared_ptr<rmb::Envelope> envelope, const std::string& what, std::string cache_key = {});

  // writer.cc
  void finish_write(std::shared_ptr<rmb::Envelope> envelope, const core::Twin& destination, bool encrypt,
                    WriteDone done);

  std::mutex incoming_mu_;
  ExpiringSet seen_;       // (source, uid) of requests accepted recently (guarded by incoming_mu_)
  ExpiringSet in_flight_;  // (source, uid) of requests a service still owes (incoming_mu_)
  ReplyCache replies_;     // (source, uid) -> the reply frame given (incoming_mu_)

  // deadlines.cc
  Strand deadline_strand_;
  boost::asio::steady_timer deadline_timer_;  // deadline_strand_ only

  // resend.cc
  Strand resend_strand_;
  boost::asio::steady_timer resend_timer_;  // resend_strand_ only
  std::atomic<bool> resend_on_link_up_{false};
  std::mutex parked_mu_;
  bool in_grace_ = false;                // parked_mu_
  std::vector<IncomingRequest> parked_;  // parked_mu_
  std::unique_ptr<boost::asio::steady_timer> grace_timer_;
  std::mutex finished_mu_;
  ExpiringSet finished_;  // uids of requests that left the pending table (finished_mu_)
};

// "<source address>/<uid>": the identity of an incoming request.
std::string incoming_key(const core::AddressText& source, const std::string& uid);

}  // namespace rmb::gateway
