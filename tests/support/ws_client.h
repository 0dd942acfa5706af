#pragma once
// A synchronous WebSocket client that talks to a relay as a twin: mints its JWT (core
// mint_jwt), sends signed envelopes (core sign_envelope), receives frames with a deadline.
// Single-threaded; every call runs the client's own io_context until done or timed out.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/protocol/identity/signer.h"
#include "rmb/types.pb.h"
#include "tests/support/twins.h"

namespace rmb::test {

// What the relay answered to an upgrade it refused (status 0: no HTTP answer at all).
struct UpgradeRefusal {
  unsigned status = 0;
  std::string body;
  std::string error;
};

class WsClient {
 public:
  using Millis = std::chrono::milliseconds;
  // Generous: a loaded CI machine can take seconds to route a frame, and every wait returns
  // as soon as its frame arrives (no test expects the default wait to run out).
  static constexpr Millis kDefaultTimeout{15000};

  // Connects to ws://127.0.0.1:<port>/?<jwt> as `twin` (session `sid`), with a fresh
  // token valid for `ttl` seconds.
  static absl::StatusOr<std::unique_ptr<WsClient>> connect(uint16_t port, const TestTwin& twin,
                                                           std::optional<std::string> sid = std::nullopt,
                                                           uint64_t ttl = 300);
  // Connects with an arbitrary request target (e.g. "/?<token>" or "/"), for auth tests.
  // On refusal, `refusal` (if given) gets the HTTP answer.
  static absl::StatusOr<std::unique_ptr<WsClient>> connect_target(uint16_t port, const std::string& target,
                                                                  UpgradeRefusal* refusal = nullptr);
  // Tries to connect with `target` and returns the refusal (status 101 if it was accepted).
  static UpgradeRefusal refusal_for(uint16_t port, const std::string& target);

  ~WsClient();

  // The session this client speaks as (set by connect(); connect_target() leaves twin 0).
  uint32_t twin() const { return twin_; }
  const std::optional<std::string>& sid() const { return sid_; }

  // A request from this session to (`twin`, `sid`): fresh uid, timestamp now, expiration
  // 300, plain payload. Not signed yet.
  rmb::Envelope request_to(uint32_t twin, const std::optional<std::string>& sid, const std::string& command,
                           const std::string& payload) const;
  // A response to `request` from this session, plain payload.
  rmb::Envelope response_to(const rmb::Envelope& request, const std::string& payload) const;

  // Signs (when this client has a signer) and sends; returns the bytes sent.
  absl::StatusOr<std::string> send(rmb::Envelope envelope, bool sign = true);
  absl::Status send_binary(const std::string& bytes);
  absl::Status send_text(const std::string& text);
  // One binary message in `pieces` fragments (RFC 6455 §5.4).
  absl::Status send_fragmented(const std::string& bytes, size_t pieces);
  // Bytes straight to the socket, around Beast: frames Beast would never send.
  absl::Status send_raw_bytes(const std::string& bytes);
  // Sends a WebSocket ping and waits for the pong; returns the pong's payload. A read
  // stays pending afterwards for the next receive.
  absl::StatusOr<std::string> ping(const std::string& payload, Millis timeout = kDefaultTimeout);

  // Next binary or text message. DEADLINE_EXCEEDED on timeout (the read stays pending for
  // the next call); UNAVAILABLE "closed: <code> <reason>" once the connection ended.
  absl::StatusOr<std::string> receive_raw(Millis timeout = kDefaultTimeout);
  absl::StatusOr<rmb::Envelope> receive(Millis timeout = kDefaultTimeout);
  // Whether the last message received was a text frame.
  bool last_was_text() const { return last_text_; }

  // Waits until the relay closes the connection; returns its close reason text
  // (DEADLINE_EXCEEDED if it stays open). Frames arriving meanwhile are discarded.
  absl::StatusOr<std::string> wait_closed(Millis timeout = kDefaultTimeout);
  bool closed() const { return closed_; }
  // Close code and reason the relay sent (after closed()).
  uint16_t close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }

  // Sends a close frame and waits (bounded) for the relay's.
  void close();

  // Pins the socket's kernel receive buffer to `bytes`, which stops TCP autotuning from
  // absorbing megabytes of unread mail, so that a test of a slow reader does not depend on
  // the machine's net.ipv4.tcp_rmem.
  void limit_receive_buffer(int bytes);

 private:
  WsClient();
  absl::Status run_until(bool& flag, Millis timeout);
  absl::Status run_until(const std::function<bool()>& done, Millis timeout);
  void start_read();

  // The Beast stream and its io_context, out of this header: it is included by every relay
  // test, and Beast's WebSocket headers doubled each one's compile time.
  struct Net;
  std::unique_ptr<Net> net_;
  const core::Signer* signer_ = nullptr;
  uint32_t twin_ = 0;
  std::optional<std::string> sid_;
  bool read_pending_ = false;
  bool read_done_ = false;
  bool closed_ = false;
  bool last_text_ = false;
  uint16_t close_code_ = 0;
  std::string close_reason_;
};

// A random UUIDv4 in text form.
std::string random_uid();

}  // namespace rmb::test
