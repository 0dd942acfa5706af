#pragma once
// The Serve streams of this gateway by command, so that requests left unanswered by a
// stream that ends can be handed to another stream serving the same command. (The
// ServiceRegistry only takes sinks; it cannot be asked to deliver.)
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/front_door.h"

namespace rmb::gateway::api {

class ServeHub {
 public:
  void add(const std::string& command, const std::shared_ptr<RequestSink>& sink);
  void remove(const std::string& command, const RequestSink* sink);
  // Offers `request` to the sinks of its command in turn (round robin); false when none
  // took it.
  bool offer(const IncomingRequest& request);

 private:
  struct Entry {
    std::vector<std::weak_ptr<RequestSink>> sinks;
    size_t next = 0;
  };
  std::mutex mu_;
  std::map<std::string, Entry, std::less<>> commands_;
};

}  // namespace rmb::gateway::api
