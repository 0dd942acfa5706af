#pragma once
// Shared by the link tests: an io_context run by two threads (so the strands matter), a
// test twin to sign JWTs, and helpers that wait for link states and send completions.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "absl/status/status.h"
#include "gateway/link/relay_links.h"
#include "tests/support/twins.h"

namespace rmb::gateway::link {

// What the frame handler received, waited on by the test thread.
class FrameSink {
 public:
  void push(std::string frame);
  // The next frame, or nullopt after `timeout`.
  std::optional<std::string> pop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> frames_;
};

// One send's completion: the status, how many times done ran, and when.
class SendResult {
 public:
  RelayLinks::SendDone callback();
  // The status once done has run, or nullopt after `timeout`.
  std::optional<absl::Status> wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  int calls() const;
  RelayLinks::Clock::time_point completed_at() const;

 private:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    int calls = 0;
    absl::Status status;
    RelayLinks::Clock::time_point at;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

class LinksTest : public ::testing::Test {
 protected:
  LinksTest();
  ~LinksTest() override;

  // Options for `urls` as twin `me()`, with short keep-alive and backoff for tests.
  LinkOptions options(std::vector<std::string> urls) const;
  // Creates and starts the links; frames go to sink_.
  void start(LinkOptions options);

  // Polls `condition` until true or `timeout`; returns the last value.
  static bool eventually(const std::function<bool()>& condition,
                         std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool link_connected(size_t index) const;
  LinkStatus link_status(size_t index) const { return links_->status().at(index); }

  std::shared_ptr<const std::string> frame(std::string bytes) const {
    return std::make_shared<const std::string>(std::move(bytes));
  }
  static RelayLinks::Clock::time_point in(std::chrono::milliseconds d) { return RelayLinks::Clock::now() + d; }

  std::vector<test::TestTwin> twins_;  // twin 1 is ours, 2.. are the others
  const test::TestTwin& me() const { return twins_.at(0); }
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::unique_ptr<RelayLinks> links_;
  FrameSink sink_;
};

}  // namespace rmb::gateway::link
