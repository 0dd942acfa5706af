#pragma once
// The federation queue in Redis (with --redis), laid out as rmb-rs keeps it (PROTOCOL.md
// §6.1), so that it survives a relay restart and relay processes on one Redis (C++ or Rust)
// share the work:
//  - forward(): `XADD relay.federation.stream * msg <envelope bytes>`;
//  - consumer group `federation` (created with `XGROUP CREATE ... 0 MKSTREAM` on NOGROUP),
//    one consumer per process reading with `XREADGROUP ... COUNT n BLOCK 500 ... >`;
//  - each entry: the destination twin looked up again, then one HttpFederator attempt
//    (up to 3 passes over the twin's relays); `XACK` after 202, a 4xx, expiry or a
//    permanent lookup failure (those report the §5.5 error envelope to the sender);
//    a transient failure leaves the entry pending;
//  - every 2 s: `XPENDING ... IDLE 3000` over the whole group and `XCLAIM` of what no live
//    consumer is working on (idle >= 3000 ms), including entries of consumers that died
//    with the process that ran them; so a transient failure is retried every 3-5 s until
//    the envelope expires ("message has expired").
//
// Differences from rmb-rs, and why:
//  - The consumer is named `relay-cpp-<host>-<pid>-<random>`, not `relay-<i>`: rmb-rs's
//    names are the same in every process, so two processes would share one consumer's
//    pending list and claim each other's entries while they are being delivered. A
//    process that dies leaves its pending entries under a name nobody uses again; they
//    are claimed by the idle rule above (rmb-rs claims only its own consumer's entries).
//  - Entries being delivered are kept fresh (`XCLAIM <own ids> JUSTID` with min-idle 0
//    every 2 s) so that a slow delivery (a relay that times out, 3 passes) is not claimed
//    by another process meanwhile.
//  - Acked entries are also `XDEL`eted: rmb-rs never deletes them and its stream grows
//    forever.
//  - Consumers of this implementation idle for over an hour with nothing pending are
//    removed from the group (`XGROUP DELCONSUMER`), so restarts do not pile up names.
//
// Bounds: forward()s waiting for their XADD (count and bytes), entries being delivered
// (`concurrency`), and the stream itself (`max_stream_entries`, read with XLEN every 2 s).
// Beyond any of them forward() refuses: "federation queue is full" to the sender.
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "core/directory/twin_directory.h"
#include "relay/federation/federator.h"
#include "relay/federation/http_federator.h"

namespace rmb::relay {

inline constexpr char kFederationStream[] = "relay.federation.stream";
inline constexpr char kFederationGroup[] = "federation";

struct RedisFederatorOptions {
  std::string url = "redis://localhost:6379";
  std::string consumer;                         // empty: relay-cpp-<host>-<pid>-<random>
  size_t concurrency = 64;                      // entries this process delivers at once
  size_t max_queued = 10000;                    // forward()s waiting for their XADD
  size_t max_queued_bytes = 64 << 20;           //   and their bytes
  size_t max_stream_entries = 100000;           // XLEN beyond which forward() refuses
  std::chrono::milliseconds claim_idle{3000};   // §6.1: claim entries idle this long
  std::chrono::milliseconds claim_every{2000};  // §6.1: XPENDING/XCLAIM pass
  std::chrono::milliseconds block{500};         // XREADGROUP BLOCK
  std::chrono::milliseconds retry_delay{2000};  // after a Redis error
  std::chrono::seconds forget_consumers{3600};  // DELCONSUMER own-style idle consumers
};

struct RedisFederatorStats {
  uint64_t queued = 0;      // waiting for XADD
  uint64_t in_flight = 0;   // being delivered by this process
  uint64_t stream_len = 0;  // XLEN at the last claim pass
  uint64_t refused = 0;     // forward() refused (a bound, or Redis unavailable)
  uint64_t claimed = 0;     // entries taken over from the pending list
};

class RedisFederator final : public Federator {
 public:
  // `http` (the delivery attempts) and `directory` must outlive this. Fails only on a
  // malformed URL; an unreachable Redis is retried in the background (forward() then
  // reports "redis error: ..." to the sender).
  static absl::StatusOr<std::unique_ptr<RedisFederator>> create(RedisFederatorOptions options, HttpFederator& http,
                                                                core::TwinDirectory& directory,
                                                                FailureHandler on_failure);
  ~RedisFederator() override;  // entries being delivered stay pending for the next claim

  void forward(Frame frame, rmb::Envelope envelope, std::set<std::string> domains) override;

  const std::string& consumer() const;
  RedisFederatorStats stats() const;

  struct Impl;

 private:
  explicit RedisFederator(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace rmb::relay
