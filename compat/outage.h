#pragma once
// "Log once per outage" for the connections of one Redis: the first failure logs a
// warning, later failures stay quiet until some connection succeeds again, which logs the
// recovery once.
#include <mutex>
#include <string>
#include <string_view>

namespace rmb::compat {

class OutageLog {
 public:
  explicit OutageLog(std::string where) : where_(std::move(where)) {}
  void failed(std::string_view who, std::string_view error);
  void recovered(std::string_view who);

 private:
  std::mutex mu_;
  std::string where_;
  bool down_ = false;
};

}  // namespace rmb::compat
