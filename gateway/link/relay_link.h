#pragma once
// One relay URL: connect (JWT minted per attempt, §4), read frames, write the frames the
// dispatcher queues for it one at a time, ping when idle and drop when silent (§5.3),
// reconnect with backoff. The WebSocket is core::WsClient (core/net/ws_client.h); this
// class is what is the link's own on top of it. Everything runs on the link's own strand.
#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "absl/status/statusor.h"
#include "core/net/url.h"
#include "core/net/ws_client.h"
#include "gateway/link/backoff.h"

namespace rmb::gateway::link {

class Dispatcher;

class RelayLink : public std::enable_shared_from_this<RelayLink> {
 public:
  // `url` holds the parse error for a bad URL: such a link reports it and never connects;
  // so does a wss:// link when `tls` holds an error.
  RelayLink(boost::asio::io_context& io, size_t index, std::string text, absl::StatusOr<core::Url> url,
            absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls, std::shared_ptr<Dispatcher> dispatcher);

  const std::string& text() const { return text_; }
  // An error that stops this link for good (bad URL, unusable CA file), or "".
  std::string permanent_error() const;

  void start();
  void stop();
  // New frames are queued: write them (from any thread).
  void kick();

 private:
  using Clock = std::chrono::steady_clock;

  // The client's callbacks name their connection by address (`conn`), compared with
  // connecting_/conn_: a callback runs inside the client it names, so that client is alive
  // and no other can have its address. They hold the link weakly: the client must not keep
  // a stopped link alive (stop() closes it, and after close() it calls nothing).
  void connect();
  void on_open(const core::WsClient* conn, const absl::Status& status);
  void on_message(const core::WsClient* conn, bool binary, std::string data);
  // Any frame (data or control) from the relay: the keep-alive's "heard from it".
  void heard();
  void pump();
  void arm_keepalive();
  void on_keepalive();
  void drop(const core::WsClient* conn, const std::string& why);
  void retry_later(const std::string& why, bool was_connected);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  const size_t index_;
  const std::string text_;
  const absl::StatusOr<core::Url> url_;
  const absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> tls_;
  std::shared_ptr<Dispatcher> dispatcher_;

  // Strand-only state.
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer keepalive_timer_;
  Backoff backoff_;
  std::shared_ptr<core::WsClient> connecting_;
  std::shared_ptr<core::WsClient> conn_;
  bool writing_ = false;
  bool ping_pending_ = false;
  bool pinged_since_data_ = false;
  bool stopping_ = false;
  Clock::time_point last_rx_;
};

}  // namespace rmb::gateway::link
