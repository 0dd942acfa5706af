#pragma once
// A small HTTP(S) server on 127.0.0.1 standing in for a remote relay's `POST /`: answers
// every request with a set status (0 = never answers), records the bodies and counts
// connections. Runs its own io_context thread.
#include <utility>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace rmb::test {

class FakeRelay {
 public:
  // With cert/key PEM files the server speaks TLS.
  explicit FakeRelay(int status, std::string cert_file = {}, std::string key_file = {});
  ~FakeRelay();

  uint16_t port() const { return port_; }
  std::string domain() const { return "127.0.0.1:" + std::to_string(port_); }
  void set_status(int status) { status_ = status; }
  std::vector<std::string> bodies() const;
  size_t requests() const;
  size_t connections() const { return connections_; }

  struct Impl;

 private:
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> status_;
  std::atomic<size_t> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
  std::thread thread_;

  friend struct Impl;
};

}  // namespace rmb::test
