#pragma once
// A minimal synchronous HTTP/1.1 client for tests (one request per connection).
#include <chrono>
#include <cstdint>
#include <string>

namespace rmb::test {

struct HttpResult {
  unsigned status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
  std::string error;  // why there was no answer
};

HttpResult http_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000),
                        const std::string& host = "127.0.0.1");
inline HttpResult http_get(uint16_t port, const std::string& target) { return http_request(port, "GET", target); }
// The value of the Prometheus sample `sample` (its name and labels as printed, e.g.
// `rmb_relay_x_total{reason="y"}`) in a /metrics body; 0 when it is not there.
double prometheus_sample(const std::string& metrics_text, const std::string& sample);

inline HttpResult http_post(uint16_t port, const std::string& target, const std::string& body) {
  return http_request(port, "POST", target, body);
}

}  // namespace rmb::test
