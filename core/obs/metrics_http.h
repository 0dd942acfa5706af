#pragma once
// The one metrics HTTP endpoint: GET /metrics (the registry in the Prometheus text format)
// and GET /healthz ("ok"). The relay answers these on its own listener, next to the
// WebSocket upgrade and federation intake (metrics_answer); rmb-peer runs MetricsServer on
// --metrics-listen, which answers nothing else.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"
#include "core/obs/metrics.h"

namespace rmb::core::metrics {

struct HttpAnswer {
  unsigned status = 200;
  std::string content_type;
  std::string body;
};

// The answer to a GET of `target` (path and optional ?query), or nullopt when the path is
// not /metrics or /healthz and the caller answers it itself.
std::optional<HttpAnswer> metrics_answer(const Registry& registry, std::string_view target);

class MetricsServer {
 public:
  // `listen` is host:port (port 0 picks one); the registry must outlive the server. Other
  // requests get 404. One request per connection; rendering runs on an I/O thread.
  static absl::StatusOr<std::shared_ptr<MetricsServer>> start(boost::asio::io_context& io, const std::string& listen,
                                                              const Registry& registry);
  virtual ~MetricsServer() = default;
  // host:port as bound (the port chosen when 0 was asked for).
  virtual std::string address() const = 0;
  virtual void stop() = 0;
};

}  // namespace rmb::core::metrics
