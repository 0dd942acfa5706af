#include "relay/ip_limiter.h"

#include <algorithm>

namespace rmb::relay {

IpLimiter::IpLimiter(double per_second, double burst, size_t max_ips)
    : per_second_(std::max(per_second, 0.0)), burst_(std::max(burst, 1.0)), max_ips_(std::max<size_t>(max_ips, 1)) {}

void IpLimiter::forget_full(std::chrono::steady_clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.last).count();
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

bool IpLimiter::allow(const boost::asio::ip::address& ip) {
  if (!enabled()) return true;
  // v4-mapped v6 addresses ("[::]" listens dual-stack) count as the v4 address.
  std::string key;
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    key = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6()).to_string();
  } else {
    key = ip.to_string();
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_ips_) {
      forget_full(now);
      if (buckets_.size() >= max_ips_) return true;
    }
    it = buckets_.emplace(std::move(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.last).count() * per_second_);
  b.last = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

size_t IpLimiter::tracked() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace rmb::relay
