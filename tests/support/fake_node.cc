#include "tests/support/fake_node.h"

#include <utility>  // before asio's awaitable.hpp (Boost 1.74)

#include <deque>
#include <functional>
#include <future>
#include <set>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "core/directory/substrate/extrinsic.h"
#include "core/directory/substrate/update_twin.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"

namespace rmb::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Tcp = asio::ip::tcp;
using json = nlohmann::json;
using core::Bytes;

namespace {

struct Session : std::enable_shared_from_this<Session> {
  explicit Session(Tcp::socket socket) : ws(std::move(socket)) {}
  websocket::stream<beast::tcp_stream> ws;
  std::deque<std::string> out;
  bool writing = false;
  bool closed = false;

  void send(std::string text) {
    if (closed) return;
    out.push_back(std::move(text));
    if (writing) return;
    writing = true;
    asio::co_spawn(
        ws.get_executor(),
        [self = shared_from_this()]() -> asio::awaitable<void> {
          while (!self->out.empty() && !self->closed) {
            std::string msg = std::move(self->out.front());
            self->out.pop_front();
            boost::system::error_code ec;
            co_await self->ws.async_write(asio::buffer(msg), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
          }
          self->writing = false;
        },
        asio::detached);
  }
  void shut() {
    closed = true;
    boost::system::error_code ec;
    beast::get_lowest_layer(ws).socket().close(ec);
  }
};

json rpc_error(const json& id, int code, const std::string& message, const std::string& data = "") {
  json err{{"code", code}, {"message", message}};
  if (!data.empty()) err["data"] = data;
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", err}};
}

json rpc_result(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

}  // namespace

struct FakeNode::Impl {
  explicit Impl(FakeNode& n) : node(n), acceptor(io) {}

  FakeNode& node;
  asio::io_context io;
  Tcp::acceptor acceptor;
  std::thread thread;
  std::set<std::shared_ptr<Session>> sessions;  // io thread only

  std::mutex mu;  // guards everything below
  std::map<Bytes, Bytes> storage;
  std::map<core::AccountId, uint64_t> nonces;
  std::map<std::string, uint64_t> counts;
  bool hold = false;
  std::vector<std::function<void()>> held;

  // Runs `f` on the io thread and waits for it.
  void run_on_io(std::function<void()> f) {
    std::promise<void> done;
    asio::post(io, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  void listen(uint16_t port) {
    const Tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    asio::co_spawn(io, accept_loop(), asio::detached);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      Tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // closed by stop()
      auto s = std::make_shared<Session>(std::move(socket));
      sessions.insert(s);
      asio::co_spawn(io, serve(s), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<Session> s) {
    boost::system::error_code ec;
    co_await s->ws.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    while (!ec) {
      beast::flat_buffer buffer;
      co_await s->ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      handle(s, beast::buffers_to_string(buffer.data()));
    }
    s->closed = true;
    sessions.erase(s);
  }

  void handle(const std::shared_ptr<Session>& s, const std::string& text) {
    json req = json::parse(text, nullptr, false);
    if (!req.is_object() || !req.contains("method") || !req["method"].is_string()) {
      s->send(rpc_error(nullptr, -32700, "Parse error").dump());
      return;
    }
    const json id = req.value("id", json());
    const std::string method = req["method"];
    const json params = req.value("params", json::array());
    std::unique_lock lock(mu);
    ++counts[method];
    if (method == "state_getStorage") {
      json answer = get_storage(id, params);
      if (hold) {
        std::weak_ptr<Session> weak = s;
        held.push_back([weak, msg = answer.dump()] {
          if (auto live = weak.lock()) live->send(msg);
        });
        return;
      }
      lock.unlock();
      s->send(answer.dump());
      return;
    }
    json answer;
    if (method == "state_getRuntimeVersion") {
      answer = rpc_result(id, json{{"specName", "substrate-threefold"},
                                   {"implName", "substrate-threefold"},
                                   {"authoringVersion", 1},
                                   {"specVersion", kSpecVersion},
                                   {"implVersion", 1},
                                   {"apis", json::array()},
                                   {"transactionVersion", kTransactionVersion},
                                   {"stateVersion", 0}});
    } else if (method == "chain_getBlockHash") {
      if (params.is_array() && params.size() == 1 && params[0] == 0) {
        answer = rpc_result(id, "0x" + core::to_hex(node.genesis_));
      } else {
        answer = rpc_error(id, -32602, "fake node: only chain_getBlockHash([0]) is served");
      }
    } else if (method == "system_accountNextIndex") {
      auto account = params.is_array() && params.size() == 1 && params[0].is_string()
                         ? core::ss58_decode(params[0].get<std::string>())
                         : absl::StatusOr<core::AccountId>(absl::InvalidArgumentError("bad params"));
      answer = account.ok() ? rpc_result(id, nonces[*account])
                            : rpc_error(id, -32602, "Invalid params", std::string(account.status().message()));
    } else if (method == "author_submitExtrinsic") {
      answer = submit(id, params);
    } else {
      answer = rpc_error(id, -32601, "Method not found");
    }
    lock.unlock();
    s->send(answer.dump());
  }

  json get_storage(const json& id, const json& params) {
    if (!params.is_array() || params.empty() || !params[0].is_string()) {
      return rpc_error(id, -32602, "Invalid params");
    }
    auto key = core::from_hex(params[0].get<std::string>());
    if (!key.ok()) return rpc_error(id, -32602, "Invalid params", "bad hex key");
    auto it = storage.find(*key);
    if (it == storage.end()) return rpc_result(id, nullptr);
    return rpc_result(id, "0x" + core::to_hex(it->second));
  }

  json submit(const json& id, const json& params) {
    if (!params.is_array() || params.size() != 1 || !params[0].is_string()) {
      return rpc_error(id, -32602, "Invalid params");
    }
    auto bytes = core::from_hex(params[0].get<std::string>());
    if (!bytes.ok()) return rpc_error(id, 1002, "Verification Error: bad hex");
    auto xt = core::decode_signed_extrinsic(*bytes);
    if (!xt.ok())
      return rpc_error(id, 1002, "Verification Error: Runtime error: Could not decode",
                       std::string(xt.status().message()));
    core::ChainContext ctx{kSpecVersion, kTransactionVersion, node.genesis_};
    const Bytes payload = core::signing_payload(xt->call, xt->nonce, xt->tip, ctx);
    Bytes sig65{core::key_type_prefix(xt->key_type)};
    sig65.insert(sig65.end(), xt->signature.begin(), xt->signature.end());
    if (auto st = core::verify_signature(xt->signer, payload, sig65); !st.ok()) {
      return rpc_error(id, 1010, "Invalid Transaction", "Transaction has a bad signature");
    }
    uint64_t& expected = nonces[xt->signer];
    if (xt->nonce < expected) return rpc_error(id, 1010, "Invalid Transaction", "Transaction is outdated");
    if (xt->nonce > expected)
      return rpc_error(id, 1010, "Invalid Transaction", "Transaction is in the future (fake node does not queue)");
    auto call = core::decode_update_twin_call(xt->call);
    if (!call.ok())
      return rpc_error(id, 1002, "Verification Error: Runtime error: Could not decode",
                       std::string(call.status().message()));
    ++expected;
    apply_update(xt->signer, *call);
    const core::Hash256 hash = core::blake2b_256(*bytes);
    return rpc_result(id, "0x" + core::to_hex(hash));
  }

  // The pallet's update_twin: the caller must own a twin, the relay must be valid.
  void apply_update(const core::AccountId& account, const core::UpdateTwinCall& call) {
    auto id_it = storage.find(core::twin_id_by_account_storage_key(account));
    if (id_it == storage.end()) {
      ++node.dispatch_errors_;  // TwinNotExists
      return;
    }
    const uint32_t twin_id = *core::decode_twin_id(id_it->second);
    auto twin_it = storage.find(core::twins_storage_key(twin_id));
    auto twin = core::decode_chain_twin(twin_it->second);
    if (call.relay) {
      const std::string relay(call.relay->begin(), call.relay->end());
      std::set<std::string> parts;
      size_t start = 0;
      for (;;) {
        const size_t end = relay.find('_', start);
        parts.insert(relay.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
      }
      if (!core::validate_chain_update(parts, call.pk).ok()) {
        ++node.dispatch_errors_;  // InvalidRelayAddress
        return;
      }
    }
    twin->relay = call.relay;
    twin->pk = call.pk;
    twin_it->second = core::encode_chain_twin(*twin);
  }
};

FakeNode::FakeNode() : impl_(std::make_unique<Impl>(*this)) {
  for (size_t i = 0; i < genesis_.size(); ++i) genesis_[i] = static_cast<uint8_t>(0xa0 + i);
  impl_->listen(0);
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([this] {
    auto guard = asio::make_work_guard(impl_->io);
    impl_->io.run();
  });
}

FakeNode::~FakeNode() {
  stop();
  impl_->io.stop();
  impl_->thread.join();
}

std::string FakeNode::url() const { return "ws://127.0.0.1:" + std::to_string(port_); }

void FakeNode::stop() {
  impl_->run_on_io([this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& s : impl_->sessions) s->shut();
    impl_->sessions.clear();
  });
}

void FakeNode::start() {
  impl_->run_on_io([this] { impl_->listen(port_); });
}

void FakeNode::put_twin(const core::ChainTwin& twin) {
  std::lock_guard lock(impl_->mu);
  impl_->storage[core::twins_storage_key(twin.id)] = core::encode_chain_twin(twin);
  core::ScaleWriter w;
  w.u32(twin.id);
  impl_->storage[core::twin_id_by_account_storage_key(twin.account)] = w.take();
}

void FakeNode::put_raw(const Bytes& key, const Bytes& value) {
  std::lock_guard lock(impl_->mu);
  impl_->storage[key] = value;
}

std::optional<core::ChainTwin> FakeNode::twin(uint32_t id) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->storage.find(core::twins_storage_key(id));
  if (it == impl_->storage.end()) return std::nullopt;
  auto t = core::decode_chain_twin(it->second);
  if (!t.ok()) return std::nullopt;
  return *t;
}

uint64_t FakeNode::count(const std::string& method) {
  std::lock_guard lock(impl_->mu);
  return impl_->counts[method];
}

void FakeNode::hold_storage() {
  std::lock_guard lock(impl_->mu);
  impl_->hold = true;
}

void FakeNode::release_storage() {
  std::vector<std::function<void()>> held;
  {
    std::lock_guard lock(impl_->mu);
    impl_->hold = false;
    held.swap(impl_->held);
  }
  asio::post(impl_->io, [held = std::move(held)] {
    for (auto& f : held) f();
  });
}

uint64_t FakeNode::nonce(const core::AccountId& account) {
  std::lock_guard lock(impl_->mu);
  return impl_->nonces[account];
}

}  // namespace rmb::test
