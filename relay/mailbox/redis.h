#pragma once
// Mailbox in Redis streams, laid out exactly like rmb-rs (PROTOCOL.md §5.7) so that C++
// and Rust relays can share one Redis: key `stream:<twin>[:<sid>]`, one field `_` with the
// raw envelope bytes, MAXLEN ~ 10000, EXPIRE 3600 on every store.
//
// Threads (hiredis sync API, each connection owned by exactly one thread):
//  - writer: pipelines queued stores (MULTI/XADD/EXPIRE/EXEC per message), batched XDELs
//    (128 ids or 10 ms) of entries whose frame the session confirmed written to its socket
//    (MailboxSink::Written, §5.7 step 4), CLIENT UNBLOCK for the reader, and the depth sample;
//  - reader: one XREAD COUNT 100 BLOCK over every attached session that can take mail,
//    on its own connection. Because it reads the shared streams, mail stored by another
//    relay process (C++ or Rust) for a session attached here is delivered here.
// Neither `store` nor any other call blocks the caller: work is queued to those threads.
// An entry offered to a session and never confirmed (connection ended, relay killed) stays
// in the stream; the next attach reads the stream from 0-0 and offers it again, in order.
//
// Expiry: rmb-rs stores no expiry of its own, so the envelope's timestamp + expiration is
// read back from the stored bytes; expired entries are deleted instead of delivered.
//
// depth(): sum of XLEN over every `stream:*` key, sampled incrementally (SCAN, one step
// per writer idle tick, a full cycle at most every few seconds). It counts every relay's
// undelivered mail in this Redis, and it lags by one sampling cycle.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "relay/mailbox/mailbox.h"

namespace rmb::relay {

struct RedisMailboxOptions {
  std::string url = "redis://localhost:6379";
  uint32_t stream_maxlen = 10000;               // XADD MAXLEN ~
  uint32_t stream_ttl_seconds = 3600;           // EXPIRE after each store
  std::chrono::milliseconds retry_delay{2000};  // after a Redis error (§11)
  std::chrono::milliseconds block{2000};        // XREAD BLOCK (§11)
  uint32_t read_count = 100;                    // XREAD COUNT (§11)
  size_t max_queued_stores = 100000;            // beyond: store fails at once
  size_t max_queued_bytes = 256 << 20;          //   and their bytes (issue 11)
  // Mailboxes (issue 11): once the database holds this many keys (DBSIZE, read after every
  // store batch; nearly all are stream:* keys), a store may only go to an existing stream,
  // mail for a new (twin, sid) is refused with "too many mailboxes on this relay".
  size_t max_streams = 100000;
  std::chrono::milliseconds depth_sample_interval{5000};
};

class RedisMailbox final : public Mailbox {
 public:
  // Fails only on a malformed URL; an unreachable server is retried in the background
  // (stores fail with UNAVAILABLE meanwhile).
  static absl::StatusOr<std::unique_ptr<RedisMailbox>> create(RedisMailboxOptions options);
  ~RedisMailbox() override;  // stops both threads; queued stores fail with CANCELLED

  void store(const SessionId& to, Frame frame, uint64_t expires_at, Done done) override;
  void attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) override;
  void detach(const SessionId& id, const MailboxSink* sink) override;
  void resume(const SessionId& id) override;
  uint64_t depth() const override;

  // True while both connections are up (for logs and tests).
  bool connected() const;

  // `stream:<twin>` or `stream:<twin>:<sid>` (§5.7).
  static std::string stream_key(const SessionId& id);

  struct Impl;

 private:
  explicit RedisMailbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rmb::relay
