#include "tests/gateway/link/links_fixture.h"

namespace rmb::gateway::link {

void FrameSink::push(std::string frame) {
  {
    std::lock_guard lock(mu_);
    frames_.push_back(std::move(frame));
  }
  cv_.notify_all();
}

std::optional<std::string> FrameSink::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return !frames_.empty(); })) return std::nullopt;
  std::string frame = std::move(frames_.front());
  frames_.pop_front();
  return frame;
}

size_t FrameSink::size() const {
  std::lock_guard lock(mu_);
  return frames_.size();
}

RelayLinks::SendDone SendResult::callback() {
  return [state = state_](absl::Status status) {
    {
      std::lock_guard lock(state->mu);
      ++state->calls;
      state->status = std::move(status);
      state->at = RelayLinks::Clock::now();
    }
    state->cv.notify_all();
  };
}

std::optional<absl::Status> SendResult::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mu);
  if (!state_->cv.wait_for(lock, timeout, [&] { return state_->calls > 0; })) return std::nullopt;
  return state_->status;
}

int SendResult::calls() const {
  std::lock_guard lock(state_->mu);
  return state_->calls;
}

RelayLinks::Clock::time_point SendResult::completed_at() const {
  std::lock_guard lock(state_->mu);
  return state_->at;
}

LinksTest::LinksTest() : work_(io_.get_executor()) {
  twins_ = test::make_twins(3, 1, {"relay.test"});
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

LinksTest::~LinksTest() {
  if (links_) links_->stop();
  links_.reset();
  work_.reset();
  // Whatever the links still had pending (close handshakes) is bounded by their timers.
  for (auto& t : threads_) t.join();
}

LinkOptions LinksTest::options(std::vector<std::string> urls) const {
  LinkOptions o;
  o.urls = std::move(urls);
  o.signer = me().signer.get();
  o.twin = me().id;
  o.backoff_min = std::chrono::milliseconds(50);
  o.backoff_max = std::chrono::milliseconds(400);
  o.connect_timeout = std::chrono::milliseconds(3000);
  return o;
}

void LinksTest::start(LinkOptions options) {
  links_ = make_relay_links(io_, std::move(options));
  links_->start([this](std::string frame) { sink_.push(std::move(frame)); });
}

bool LinksTest::eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

bool LinksTest::link_connected(size_t index) const {
  return links_->status().at(index).state == LinkStatus::State::kConnected;
}

}  // namespace rmb::gateway::link
