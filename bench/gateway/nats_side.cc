#include "bench/gateway/nats_side.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace rmb::bench {

namespace asio = boost::asio;
using namespace std::chrono_literals;

absl::StatusOr<std::unique_ptr<NatsConnection>> NatsConnection::open(uint16_t port,
                                                                     const std::function<void(NatsClient&)>& setup) {
  std::unique_ptr<NatsConnection> c(new NatsConnection());
  c->client_ = NatsClient::create(c->io_);
  c->thread_ = std::thread([io = &c->io_] { io->run(); });
  auto ready = std::make_shared<std::promise<absl::Status>>();
  auto result = ready->get_future();
  asio::post(c->io_, [client = c->client_, port, setup, ready] {
    client->connect(port, [client, setup, ready](NatsClient::ErrorCode ec) {
      if (ec) {
        ready->set_value(
            absl::UnavailableError(absl::StrCat("nats connect: ", ec.message(), " ", client->server_error())));
        return;
      }
      setup(*client);
      client->on_pong([client, ready] {
        client->on_pong(nullptr);
        ready->set_value(absl::OkStatus());
      });
      client->ping();
    });
  });
  if (result.wait_for(10s) != std::future_status::ready) {
    return absl::DeadlineExceededError(absl::StrCat("nats-server on port ", port, " did not answer within 10 s"));
  }
  absl::Status status = result.get();
  if (!status.ok()) return status;
  return c;
}

NatsConnection::~NatsConnection() {
  asio::post(io_, [client = client_] { client->close(); });
  work_.reset();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<std::unique_ptr<NatsResponder>> NatsResponder::start(uint16_t port, const std::string& subject) {
  auto responder = std::make_unique<NatsResponder>();
  auto connection = NatsConnection::open(port, [subject](NatsClient& client) {
    // The handler runs on the connection's thread and holds no owning reference.
    client.on_message([&client](const NatsClient::Message& m) {
      if (!m.reply.empty()) client.publish(m.reply, "", m.payload);
    });
    client.subscribe(subject, "1");
  });
  if (!connection.ok()) return connection.status();
  responder->connection_ = std::move(*connection);
  return responder;
}

absl::StatusOr<std::unique_ptr<NatsRequesters>> NatsRequesters::start(uint16_t port, const std::string& subject,
                                                                      std::string payload, size_t callers) {
  std::unique_ptr<NatsRequesters> r(new NatsRequesters());
  r->subject_ = subject;
  r->payload_ = std::move(payload);
  r->pending_.resize(callers);
  // Inboxes unique to this run: a late reply of an earlier run cannot match.
  static int run = 0;
  ++run;
  for (size_t i = 0; i < callers; ++i) r->inboxes_.push_back(absl::StrCat("_INBOX.bench.", run, ".", i));
  auto connection = NatsConnection::open(port, [self = r.get()](NatsClient& client) {
    client.on_message([self](const NatsClient::Message& m) { self->on_reply(m); });
    // sid = caller index: the MSG line names the caller without a subject lookup.
    for (size_t i = 0; i < self->inboxes_.size(); ++i) client.subscribe(self->inboxes_[i], absl::StrCat(i));
  });
  if (!connection.ok()) return connection.status();
  r->connection_ = std::move(*connection);
  return r;
}

void NatsRequesters::issue(size_t caller, ClosedLoop::Done done) {
  // ClosedLoop starts callers from its own thread, later calls from on_reply: dispatch
  // runs inline on the I/O thread and posts otherwise.
  asio::dispatch(connection_->io(), [this, caller, done = std::move(done)]() mutable {
    pending_[caller] = std::move(done);
    connection_->client().publish(subject_, inboxes_[caller], payload_);
  });
}

void NatsRequesters::on_reply(const NatsClient::Message& m) {
  uint64_t caller = 0;
  if (!absl::SimpleAtoi(absl::string_view(m.sid.data(), m.sid.size()), &caller) || caller >= pending_.size() ||
      !pending_[caller])
    return;
  ClosedLoop::Done done = std::move(pending_[caller]);
  pending_[caller] = nullptr;
  if (m.payload == payload_) {
    done(true, "");
  } else {
    done(false, absl::StrCat("reply of ", m.payload.size(), " bytes is not the payload sent"));
  }
}

}  // namespace rmb::bench
