#pragma once
// A tiny HTTP server for Prometheus: GET /metrics answers with the text `render` returns
// (exposition format 0.0.4); anything else gets 404. One request per connection.
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "absl/status/statusor.h"

namespace rmb::gateway::metrics {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  // `listen` is host:port (port 0 picks one). `render` runs on an I/O thread.
  static absl::StatusOr<std::shared_ptr<MetricsServer>> start(boost::asio::io_context& io, const std::string& listen,
                                                              Render render);
  virtual ~MetricsServer() = default;
  virtual std::string address() const = 0;
  virtual void stop() = 0;
};

}  // namespace rmb::gateway::metrics
