#pragma once
// Which sinks serve which command. Requests for a command go round robin over its sinks;
// the fallback sink takes commands nobody serves. Thread-safe; lookups hand out a snapshot
// so that sinks are offered requests without any lock held.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/front_door.h"

namespace rmb::gateway {

class ServiceTable {
 public:
  void add(const std::string& command, std::shared_ptr<RequestSink> sink);
  void remove(const std::string& command, const RequestSink* sink);
  void set_fallback(std::shared_ptr<RequestSink> sink);

  // The sinks to offer a request for `command` to, in order: the command's sinks starting
  // with the next in the rotation, then the fallback (if any).
  struct Candidates {
    std::vector<std::shared_ptr<RequestSink>> sinks;
    bool has_service = false;  // the command has its own sinks (not only the fallback)
  };
  Candidates candidates(const std::string& command);

 private:
  struct Entry {
    std::vector<std::shared_ptr<RequestSink>> sinks;
    size_t next = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> services_;
  std::shared_ptr<RequestSink> fallback_;
};

}  // namespace rmb::gateway
