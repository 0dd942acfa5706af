#pragma once
// The shared half of RelayLinks: which link gets a frame, the per-link write queues, the
// frames held while no link is connected, deadlines, status. Thread-safe (one mutex);
// the links (relay_link.h) run their sockets on their own strands and call in here.
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "gateway/link/callback_gate.h"
#include "gateway/link/relay_links.h"

namespace rmb::gateway::link {

class RelayLink;

struct Outgoing {
  std::shared_ptr<const std::string> frame;
  RelayLinks::Clock::time_point deadline;
  RelayLinks::SendDone done;
};

class Dispatcher : public std::enable_shared_from_this<Dispatcher> {
 public:
  Dispatcher(boost::asio::io_context& io, LinkOptions options);

  // Creates the links (one per URL); called once, right after construction.
  void create_links();

  void start(RelayLinks::FrameHandler on_frame, RelayLinks::LinkEventHandler on_link);
  void stop();
  void send(std::shared_ptr<const std::string> frame, RelayLinks::Clock::time_point deadline,
            RelayLinks::SendDone done);
  std::vector<LinkStatus> status() const;
  bool any_connected() const;

  const LinkOptions& options() const { return options_; }

  // --- Called by link `index` from its strand. ---
  void link_connecting(size_t index);
  // Moves held frames to the link; true when the link should start writing.
  bool link_connected(size_t index);
  // The link is down (`state` kBackoff) or retrying: its unwritten frames go elsewhere.
  void link_down(size_t index, const std::string& error);
  // The next frame to write, or null when the queue is empty (the link goes idle).
  std::shared_ptr<const std::string> next_frame(size_t index);
  // The frame taken by next_frame() is on the socket.
  void frame_written(size_t index);
  void deliver(std::string frame);

 private:
  struct Slot {
    LinkStatus status;
    bool connected = false;
    bool busy = false;  // a write is in flight, or a pump of the link is scheduled
    uint64_t connections = 0;
    std::deque<Outgoing> queue;
    std::optional<Outgoing> in_flight;
  };

  // Under mu_: queues `item` on the first connected link with room, starting at `first`;
  // returns its index (and marks it busy in `kick`), or nothing.
  std::optional<size_t> place_locked(Outgoing& item, size_t first, std::vector<size_t>& kick);
  void hold_locked(Outgoing item);
  void fill_from_held_locked(size_t index);
  void schedule_sweep_locked(RelayLinks::Clock::time_point deadline, bool& rearm);
  void kick(const std::vector<size_t>& indexes);
  void rearm_sweep();
  void sweep();
  std::string tried_locked() const;
  bool any_connected_locked() const;
  void tell_link(size_t index, bool up, bool any_up);

  boost::asio::io_context& io_;
  const LinkOptions options_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;  // the sweep timer's
  boost::asio::steady_timer sweep_timer_;
  CallbackGate gate_;

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<RelayLink>> links_;
  std::vector<Slot> slots_;
  std::deque<Outgoing> held_;
  size_t last_good_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  RelayLinks::Clock::time_point sweep_at_ = RelayLinks::Clock::time_point::max();
  RelayLinks::FrameHandler on_frame_;
  RelayLinks::LinkEventHandler on_link_;
};

}  // namespace rmb::gateway::link
