#include "tests/gateway/engine/engine_fixture.h"

#include <sodium.h>

#include "absl/strings/str_cat.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/util/bytes.h"
#include "tests/support/temp_dir.h"

namespace rmb::gateway::test {

NetTwin make_net_twin(uint32_t id, core::KeyType type, bool publish_pk) {
  if (sodium_init() < 0) std::abort();
  NetTwin t;
  t.id = id;
  t.type = type;
  t.publish_pk = publish_pk;
  // A random seed that is also a valid secp256k1 scalar (all but ~2^-128 of them are).
  randombytes_buf(t.seed.data(), t.seed.size());
  t.secret = "0x" + core::to_hex(t.seed);
  return t;
}

core::Twin NetTwin::entry() const {
  auto identity = make_identity(type, secret, id);
  EXPECT_TRUE(identity.ok()) << identity.status();
  core::Twin twin;
  twin.id = id;
  twin.account = identity->signer->account();
  twin.relays = {"relay.test"};
  if (publish_pk) {
    const auto& pk = identity->e2e->public_key();
    twin.pk = core::Bytes(pk.begin(), pk.end());
  }
  return twin;
}

rmb::test::TestTwin NetTwin::as_test_twin() const {
  rmb::test::TestTwin t;
  t.id = id;
  t.seed = seed;
  auto signer = core::make_signer(type, seed);
  EXPECT_TRUE(signer.ok());
  t.signer = std::move(*signer);
  t.relays = {"relay.test"};
  return t;
}

bool RecordingSink::offer(const IncomingRequest& request) {
  received.push(request);
  if (echo_) {
    ServiceReply reply;
    reply.data = request.data;
    reply.schema = request.schema;
    outbox_->reply(request.uid, request.source, std::move(reply));
  }
  return true;
}

Node::~Node() {
  if (engine) engine->stop();
  work.reset();
  io.stop();
  if (thread.joinable()) thread.join();
  links.reset();
  engine.reset();
}

void EngineTest::start_network(std::vector<NetTwin> twins, std::vector<core::Twin> extra,
                               std::vector<std::string> relay_extra_args) {
  twins_ = std::move(twins);
  dir_ = rmb::test::make_temp_dir("rmb-engine-test");
  directory_path_ = dir_ + "/twins.json";
  std::vector<core::Twin> entries;
  for (const auto& t : twins_) entries.push_back(t.entry());
  entries.insert(entries.end(), extra.begin(), extra.end());
  ASSERT_TRUE(rmb::test::write_directory(directory_path_, {}, entries).ok());
  relay_args_ = {"--directory", directory_path_, "--domain", "relay.test", "--threads", "1",
                 // Room for the 1 MiB payload test (this relay's default frame limit is 1 MiB).
                 "--max-frame-size", "4194304"};
  relay_args_.insert(relay_args_.end(), relay_extra_args.begin(), relay_extra_args.end());
  auto relay = rmb::test::RelayProcess::start(relay_args_);
  ASSERT_TRUE(relay.ok()) << relay.status();
  relay_ = std::move(*relay);
}

void EngineTest::restart_relay() {
  const uint16_t port = relay_->port();
  relay_->process().stop(SIGKILL);
  auto relay = rmb::test::RelayProcess::start_on(port, relay_args_);
  ASSERT_TRUE(relay.ok()) << relay.status();
  relay_ = std::move(*relay);
}

const NetTwin& EngineTest::twin(uint32_t id) const {
  for (const auto& t : twins_) {
    if (t.id == id) return t;
  }
  ADD_FAILURE() << "no test twin " << id;
  std::abort();
}

Node& EngineTest::start_node(uint32_t id, EngineOptions options) {
  auto node = std::make_unique<Node>();
  const NetTwin& t = twin(id);
  auto identity = make_identity(t.type, t.secret, id);
  EXPECT_TRUE(identity.ok()) << identity.status();
  auto directory = core::FileDirectory::open(directory_path_);
  EXPECT_TRUE(directory.ok()) << directory.status();
  node->directory = std::move(*directory);

  LinkOptions link_options;
  link_options.urls = {absl::StrCat("ws://127.0.0.1:", relay_->port(), "/")};
  link_options.twin = id;
  // The signer moves into the engine with the identity; the object itself stays put.
  link_options.signer = identity->signer.get();
  link_options.backoff_min = 100ms;
  link_options.backoff_max = 1000ms;
  node->links = make_relay_links(node->io, std::move(link_options));
  if (options.version.empty()) options.version = "v-test";
  node->engine =
      std::make_unique<Engine>(node->io, std::move(*identity), *node->directory, *node->links, std::move(options));
  node->engine->start();
  node->work.emplace(node->io.get_executor());
  node->thread = std::thread([n = node.get()] { n->io.run(); });

  // Readiness, not timing: wait (bounded) until the link is up.
  for (int i = 0; i < 400 && !node->links->any_connected(); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(node->links->any_connected()) << "twin " << id << " did not connect to the relay";
  nodes_.push_back(std::move(node));
  return *nodes_.back();
}

std::unique_ptr<rmb::test::WsClient> EngineTest::client(uint32_t id) {
  static std::vector<rmb::test::TestTwin> keep;  // WsClient keeps a pointer to the signer
  keep.push_back(twin(id).as_test_twin());
  auto c = rmb::test::WsClient::connect(relay_->port(), keep.back());
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

std::string EngineTest::send(Node& from, OutgoingRequest request, const std::shared_ptr<Call>& call) {
  auto uid = from.engine->request(
      std::move(request), [call](Outcome o) { call->outcomes.push(std::move(o)); }, [call] { call->done.push(true); });
  EXPECT_TRUE(uid.ok()) << uid.status();
  return uid.ok() ? *uid : std::string();
}

void EngineTest::TearDown() {
  nodes_.clear();
  if (relay_) relay_->terminate();
}

OutgoingRequest make_request(std::vector<uint32_t> destinations, std::string command, std::string data,
                             uint64_t expiration) {
  OutgoingRequest r;
  for (uint32_t d : destinations) r.destinations.push_back(core::AddressText{d, std::nullopt});
  r.command = std::move(command);
  r.data = std::move(data);
  r.expiration = expiration;
  return r;
}

}  // namespace rmb::gateway::test
