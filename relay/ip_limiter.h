#pragma once
// Per-IP token buckets against floods from one address (issue 11, "federation intake
// hardened"): new connections, WebSocket pings and federation POSTs each have one. A bucket
// refills at `per_second` up to `burst`; an event that finds it empty is refused. Defaults
// (config.h) are far above what real clients do: rmb-peer opens a connection at most every
// 2 s and pings every 20 s; a relay posts what its twins send.
// At most `max_ips` addresses are tracked; when full, the ones whose bucket is full again
// are forgotten, and if none is, new addresses pass untracked (a flood from that many
// addresses is not a per-IP problem). Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

namespace rmb::relay {

class IpLimiter {
 public:
  // per_second == 0: off (allow() is always true).
  IpLimiter(double per_second, double burst, size_t max_ips = 100000);

  bool allow(const boost::asio::ip::address& ip);
  bool enabled() const { return per_second_ > 0; }
  size_t tracked() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  void forget_full(std::chrono::steady_clock::time_point now);

  const double per_second_;
  const double burst_;
  const size_t max_ips_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// The three limits of one server.
struct IpLimits {
  IpLimiter connections;
  IpLimiter pings;
  IpLimiter posts;
};

}  // namespace rmb::relay
