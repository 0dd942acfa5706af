// core::WsClient against the in-process WebSocket server (tests/support/fake_ws_server.h):
// messages both ways in order, the one connect deadline, a refused upgrade, the message
// size limit, close(), a lost connection, ping. Every call is made on the client's strand,
// as its contract asks; the test thread waits on what the handlers recorded.
#include "core/net/ws_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "absl/strings/str_cat.h"
#include "tests/support/fake_ws_server.h"
#include "tests/support/poll.h"

namespace rmb::core {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;  // NOLINT(google-build-using-namespace)
using test::FakeWsServer;
using Clock = std::chrono::steady_clock;

// Generous: a wait returns as soon as its condition holds.
constexpr auto kWait = 10s;

bool eventually(const std::function<bool()>& holds, std::chrono::milliseconds limit = kWait) {
  return test::poll_until(
      holds, [](bool b) { return b; }, limit);
}

// Everything the handlers and callbacks were called with, read by the test thread. Calls
// made after `mark_closed()` are counted apart.
class Record {
 public:
  struct Message {
    bool binary;
    std::string data;
    bool operator==(const Message&) const = default;
  };

  WsClient::Handlers handlers() {
    WsClient::Handlers h;
    h.on_message = [this](bool binary, std::string data) {
      std::lock_guard lock(mu_);
      count_after_close();
      messages_.push_back({binary, std::move(data)});
    };
    h.on_control = [this] {
      std::lock_guard lock(mu_);
      count_after_close();
      ++controls_;
    };
    h.on_lost = [this](const std::string& why) {
      std::lock_guard lock(mu_);
      count_after_close();
      lost_.push_back(why);
    };
    return h;
  }

  // A Done that records its status under `name`.
  WsClient::Done done(std::string name) {
    return [this, name = std::move(name)](absl::Status status) {
      std::lock_guard lock(mu_);
      count_after_close();
      dones_.emplace_back(name, std::move(status));
    };
  }

  void mark_closed() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

  std::vector<Message> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }
  std::vector<std::string> lost() const {
    std::lock_guard lock(mu_);
    return lost_;
  }
  int controls() const {
    std::lock_guard lock(mu_);
    return controls_;
  }
  int after_close() const {
    std::lock_guard lock(mu_);
    return after_close_;
  }
  // Every status `name` got, in order.
  std::vector<absl::Status> statuses(const std::string& name) const {
    std::lock_guard lock(mu_);
    std::vector<absl::Status> out;
    for (const auto& [n, s] : dones_) {
      if (n == name) out.push_back(s);
    }
    return out;
  }
  // The first status `name` got, once it has one (or nullopt after kWait).
  std::optional<absl::Status> wait(const std::string& name) const {
    if (!eventually([&] { return !statuses(name).empty(); })) return std::nullopt;
    return statuses(name).front();
  }

 private:
  void count_after_close() {
    if (closed_) ++after_close_;
  }

  mutable std::mutex mu_;
  std::vector<Message> messages_;
  std::vector<std::string> lost_;
  std::vector<std::pair<std::string, absl::Status>> dones_;
  int controls_ = 0;
  bool closed_ = false;
  int after_close_ = 0;
};

class WsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    // Nothing may outlive the io_context: close what is left and wait until the client's
    // pending operations (which hold it) are gone before stopping the thread.
    if (client_) on_strand([&] { client_->close(0ms); });
    forget_client();
    EXPECT_TRUE(eventually([&] { return gone_.expired(); })) << "the client outlived its close";
    work_.reset();
    thread_.join();
  }

  std::shared_ptr<WsClient> make(uint16_t port, WsClientOptions options = {}) {
    auto url = parse_ws_url(absl::StrCat("ws://127.0.0.1:", port, "/ws"));
    EXPECT_TRUE(url.ok()) << url.status();
    client_ = make_ws_client(strand_, nullptr, *url, std::move(options));
    gone_ = client_;
    return client_;
  }

  // Runs `f` on the strand and returns once it has run.
  template <class F>
  void on_strand(F f) {
    std::promise<void> ran;
    net::post(strand_, [&] {
      f();
      ran.set_value();
    });
    ran.get_future().wait();
  }

  // Opens the client made by make() with the record's handlers; the open's status.
  std::optional<absl::Status> open(const std::string& target = "/ws") {
    on_strand([&] { client_->open(target, record_.handlers(), record_.done("open")); });
    return record_.wait("open");
  }

  void send(const std::string& data, bool binary, const std::string& name) {
    on_strand([&] { client_->send(std::make_shared<const std::string>(data), binary, record_.done(name)); });
  }

  // Drops the test's pointer: from here the client lives only as long as its operations.
  void forget_client() { client_.reset(); }

  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
  net::strand<net::io_context::executor_type> strand_ = net::make_strand(io_);
  std::thread thread_;
  Record record_;
  std::shared_ptr<WsClient> client_;
  std::weak_ptr<WsClient> gone_;
};

TEST_F(WsClientTest, SendsAndReceivesBinaryAndTextMessagesInOrder) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  make(server.port());
  auto opened = open("/ws?x=1");
  ASSERT_TRUE(opened && opened->ok()) << (opened ? opened->ToString() : "no answer");
  EXPECT_EQ(server.targets(), std::vector<std::string>{"/ws?x=1"});

  send("one", true, "one");
  send("two", false, "two");
  send(FakeWsServer::kAskText, true, "ask");  // answered with Text "hello", then the echo
  send("three", true, "three");
  const std::vector<Record::Message> expected = {
      {true, "one"}, {false, "two"}, {false, "hello"}, {true, FakeWsServer::kAskText}, {true, "three"}};
  EXPECT_TRUE(eventually([&] { return record_.messages().size() >= expected.size(); }));
  EXPECT_EQ(record_.messages(), expected);
  EXPECT_EQ(server.received(), (std::vector<std::string>{"one", "two", FakeWsServer::kAskText, "three"}));
  for (const char* name : {"one", "two", "ask", "three"}) {
    ASSERT_EQ(record_.statuses(name).size(), 1u) << name;
    EXPECT_TRUE(record_.statuses(name).front().ok()) << name << ": " << record_.statuses(name).front();
  }
  EXPECT_TRUE(record_.lost().empty());
}

TEST_F(WsClientTest, AnUpgradeNeverAnsweredFailsTheOpenAtTheOneDeadline) {
  FakeWsServer server(FakeWsServer::Mode::kNoUpgrade);
  WsClientOptions options;
  options.connect_timeout = 500ms;
  make(server.port(), options);
  const auto start = Clock::now();
  auto opened = open();
  const auto took = Clock::now() - start;
  ASSERT_TRUE(opened) << "open never finished";
  EXPECT_EQ(server.accepted(), 1u);  // TCP was taken: it is the upgrade that timed out
  EXPECT_EQ(opened->code(), absl::StatusCode::kUnavailable) << *opened;
  EXPECT_NE(opened->message().find("websocket handshake"), std::string::npos) << *opened;
  EXPECT_NE(opened->message().find("timed out"), std::string::npos) << *opened;
  // No server sent an HTTP status (commit 719e786 fixed "refused with HTTP 200" here).
  EXPECT_EQ(opened->message().find("HTTP"), std::string::npos) << *opened;
  // The deadline, not sooner; later only by scheduling (a shared machine, ASan).
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 500ms + 2s);
  EXPECT_TRUE(record_.lost().empty());
}

TEST_F(WsClientTest, ARefusedUpgradeNamesTheHttpStatus) {
  FakeWsServer server(FakeWsServer::Mode::kRefuse);
  make(server.port());
  auto opened = open();
  ASSERT_TRUE(opened) << "open never finished";
  EXPECT_EQ(opened->code(), absl::StatusCode::kUnavailable) << *opened;
  EXPECT_NE(opened->message().find("refused with HTTP 403"), std::string::npos) << *opened;
  EXPECT_NE(opened->message().find(FakeWsServer::kRefusal), std::string::npos) << *opened;
  EXPECT_TRUE(record_.lost().empty());
}

TEST_F(WsClientTest, AMessageOverTheLimitLosesTheConnection) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  WsClientOptions options;
  options.max_message_bytes = 1024;
  make(server.port(), options);
  auto opened = open();
  ASSERT_TRUE(opened && opened->ok()) << (opened ? opened->ToString() : "no answer");
  // The limit is on what the client reads: the server echoes both back.
  const std::string at_limit(1024, 'a');
  const std::string over(1025, 'b');
  send(at_limit, true, "at");
  send(over, true, "over");
  ASSERT_TRUE(eventually([&] { return !record_.lost().empty(); })) << "the larger message was taken";
  EXPECT_EQ(record_.messages(), (std::vector<Record::Message>{{true, at_limit}}));
  EXPECT_EQ(server.received().size(), 2u);
  forget_client();
  EXPECT_TRUE(eventually([&] { return gone_.expired(); }));
  EXPECT_EQ(record_.lost().size(), 1u);
}

TEST_F(WsClientTest, CloseCallsNothingAfterwards) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  make(server.port());
  auto opened = open();
  ASSERT_TRUE(opened && opened->ok()) << (opened ? opened->ToString() : "no answer");
  ASSERT_TRUE(eventually([&] { return !server.targets().empty(); }));
  // Messages in flight and queued when close() comes, in the same turn of the strand: their
  // writes, their echoes and the end of the connection would all call back but for close().
  on_strand([&] {
    for (int i = 0; i < 5; ++i) {
      client_->send(std::make_shared<const std::string>(absl::StrCat("m", i)), true, record_.done("m"));
    }
    client_->send(std::make_shared<const std::string>(FakeWsServer::kAskText), true, record_.done("m"));
    record_.mark_closed();
    // A long grace: the close ends when the server answers the close frame, not on it.
    client_->close(60s);
  });
  forget_client();
  // Once the client is gone it has nothing pending that could still call back.
  ASSERT_TRUE(eventually([&] { return gone_.expired(); })) << "close waited for its grace";
  EXPECT_TRUE(eventually([&] { return server.ended() == 1; }));
  EXPECT_EQ(record_.after_close(), 0);
  EXPECT_TRUE(record_.messages().empty());
  EXPECT_TRUE(record_.statuses("m").empty());
  EXPECT_TRUE(record_.lost().empty());
}

TEST_F(WsClientTest, ALostConnectionCallsOnLostOnceAndFailsLaterSends) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  make(server.port());
  auto opened = open();
  ASSERT_TRUE(opened && opened->ok()) << (opened ? opened->ToString() : "no answer");
  send(FakeWsServer::kAskClose, true, "ask");  // the server drops the connection
  send("behind", true, "behind");
  ASSERT_TRUE(eventually([&] { return !record_.lost().empty(); })) << "on_lost never called";
  // After the loss a send fails at once, with Unavailable.
  send("late", true, "late");
  ASSERT_EQ(record_.statuses("late").size(), 1u);
  EXPECT_EQ(record_.statuses("late").front().code(), absl::StatusCode::kUnavailable)
      << record_.statuses("late").front();
  forget_client();
  ASSERT_TRUE(eventually([&] { return gone_.expired(); }));
  EXPECT_EQ(record_.lost().size(), 1u);
  // Each send's done ran exactly once, written or dropped by the loss.
  EXPECT_EQ(record_.statuses("ask").size(), 1u);
  EXPECT_EQ(record_.statuses("behind").size(), 1u);
}

TEST_F(WsClientTest, PingDoneIsCalledAndThePongSeen) {
  FakeWsServer server(FakeWsServer::Mode::kEcho);
  make(server.port());
  auto opened = open();
  ASSERT_TRUE(opened && opened->ok()) << (opened ? opened->ToString() : "no answer");
  on_strand([&] { client_->ping(record_.done("ping")); });
  auto pinged = record_.wait("ping");
  ASSERT_TRUE(pinged) << "ping's done never called";
  EXPECT_TRUE(pinged->ok()) << *pinged;
  // The server's pong reaches on_control.
  EXPECT_TRUE(eventually([&] { return record_.controls() >= 1; }));
  EXPECT_EQ(record_.statuses("ping").size(), 1u);
}

}  // namespace
}  // namespace rmb::core
