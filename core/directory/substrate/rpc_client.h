#pragma once
// A JSON-RPC 2.0 client over one WebSocket (ws:// or wss:// with certificate and host
// name verification), as Substrate nodes speak it. Generic: the tfchain directory and
// update_twin use it, and so can the gateway.
//
// - Thread-safe: call() and close() may be used from any thread; all work runs on an
//   internal strand of the executor given to create(), and callbacks run there too.
// - Every call has a deadline (default `call_timeout`); a call still unanswered then
//   completes with DeadlineExceeded.
// - Connects lazily on the first call and again after the connection drops. A connect
//   tries the URLs in turn starting with the last one that worked, 2×N attempts over N
//   URLs (like rmb-rs's substrate client); when all fail, the calls waiting for the
//   connection fail with Unavailable naming every URL's error. Calls in flight when a
//   connection drops fail with Unavailable (they are not replayed: a submitted extrinsic
//   must not be sent twice).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "core/net/url.h"
#include "core/net/ws_client.h"

namespace rmb::core {

struct RpcClientOptions {
  std::vector<std::string> urls;                     // at least one
  std::chrono::milliseconds connect_timeout{12000};  // per attempt (PROTOCOL.md §11)
  std::chrono::milliseconds call_timeout{10000};     // default per-call deadline
  // Without traffic for this long the connection is pinged, and dropped when the node
  // stays silent for as long again: a half-open connection cannot hang calls forever.
  std::chrono::milliseconds idle_timeout{20000};
  std::string ca_file;  // extra CAs, added to the system trust store (core/net/tls_client.h)
  size_t max_message_bytes = 16 * 1024 * 1024;
};

class RpcClient : public std::enable_shared_from_this<RpcClient> {
 public:
  using Clock = std::chrono::steady_clock;
  using Callback = std::function<void(absl::StatusOr<nlohmann::json>)>;

  static absl::StatusOr<std::shared_ptr<RpcClient>> create(boost::asio::any_io_executor executor,
                                                           RpcClientOptions options);
  ~RpcClient();

  // `params` is the JSON-RPC params array. The callback gets `result` (JSON null
  // included), or an error: Unavailable (no connection), DeadlineExceeded, Cancelled
  // (close()), FailedPrecondition (the node answered with a JSON-RPC error; the message
  // carries its code, message and data).
  void call(std::string method, nlohmann::json params, Callback done);
  void call(std::string method, nlohmann::json params, Clock::time_point deadline, Callback done);

  // Fails every outstanding call with Cancelled and closes the connection; later calls
  // fail at once. Returns without waiting; the work finishes on the executor.
  void close();

  // The strand the client runs on (for timers of code built on top of it).
  boost::asio::any_io_executor executor() const { return strand_; }
  const RpcClientOptions& options() const { return options_; }

  // Number of successful WebSocket handshakes so far (tests watch reconnects with it).
  uint64_t connections_made() const { return connections_made_.load(); }

 private:
  struct Pending {
    std::string method;
    std::shared_ptr<const std::string> payload;
    Callback done;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool sent = false;
  };

  RpcClient(boost::asio::any_io_executor executor, RpcClientOptions options, std::vector<Url> urls,
            std::shared_ptr<boost::asio::ssl::context> tls);

  void start_call(std::string method, nlohmann::json params, Clock::time_point deadline, Callback done);
  void finish(uint64_t id, absl::StatusOr<nlohmann::json> result);
  void fail_all(const absl::Status& status);
  void send(uint64_t id);
  void maybe_connect();
  // Attempt number `attempt` of the 2×N of one connect; `errors` holds the earlier ones'.
  void try_url(size_t attempt, std::vector<std::string> errors);
  void connected(std::shared_ptr<WsClient> conn, size_t index);
  void on_message(std::string_view text);
  void drop(const WsClient* conn, const std::string& why);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  RpcClientOptions options_;
  std::vector<Url> urls_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null when no URL is wss://

  // Strand-only state.
  enum class State { kIdle, kConnecting, kOpen, kClosed };
  State state_ = State::kIdle;
  size_t current_url_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, Pending> pending_;
  std::shared_ptr<WsClient> conn_;        // the open connection
  std::shared_ptr<WsClient> connecting_;  // the one being opened (close() cancels it)
  std::atomic<uint64_t> connections_made_{0};
};

}  // namespace rmb::core
