#pragma once
// One sender -> receiver pair of a throughput run, whatever carries it (relay or NATS),
// and the window that keeps a bounded number of messages in flight on it.
#include <cstdint>
#include <functional>
#include <string>

namespace rmb::bench {

class PairLink {
 public:
  virtual ~PairLink() = default;
  // Connects both ends; `ready` gets "" or an error text.
  virtual void connect(std::function<void(const std::string& error)> ready) = 0;
  // Sends `copies` more messages from the sender.
  virtual void send(size_t copies) = 0;
  virtual void close() = 0;
  // Anything that should not happen: deliveries of the wrong size or type, bytes the
  // sender received, connections that ended early.
  virtual uint64_t anomalies() const = 0;

  // Set by the driver; the link calls it once per message the receiver got.
  std::function<void()> on_delivery;
};

// Keeps at most `window` messages between send and delivery. Refills only when half the
// window has drained, so that senders write batches rather than one frame per delivery.
class FlowWindow {
 public:
  FlowWindow(size_t window, std::function<void(size_t)> send) : window_(window), send_(std::move(send)) {}
  void pump() {
    if (stopped_) return;
    const uint64_t in_flight = sent_ - delivered_;
    if (in_flight > window_ / 2) return;
    const size_t n = window_ - in_flight;
    sent_ += n;
    send_(n);
  }
  void delivered() {
    ++delivered_;
    pump();
  }
  void stop() { stopped_ = true; }
  uint64_t delivered_count() const { return delivered_; }
  uint64_t in_flight() const { return sent_ - delivered_; }

 private:
  size_t window_;
  std::function<void(size_t)> send_;
  uint64_t sent_ = 0;
  uint64_t delivered_ = 0;
  bool stopped_ = false;
};

}  // namespace rmb::bench
