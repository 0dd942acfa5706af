#include "tests/compat/inproc_peer.h"

#include <sodium.h>

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/util/bytes.h"
#include "gateway/engine/identity.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {

using namespace std::chrono_literals;

NetTwin make_net_twin(uint32_t id) {
  if (sodium_init() < 0) std::abort();
  core::Seed seed{};
  randombytes_buf(seed.data(), seed.size());
  return NetTwin{id, "0x" + core::to_hex(seed)};
}

core::Twin NetTwin::entry() const {
  core::Twin twin;
  auto identity = gateway::make_identity(core::KeyType::kEd25519, secret, id);
  if (!identity.ok()) return twin;
  twin.id = id;
  twin.account = identity->signer->account();
  twin.relays = {"relay.test"};
  if (identity->e2e) {
    const auto& pk = identity->e2e->public_key();
    twin.pk = core::Bytes(pk.begin(), pk.end());
  }
  return twin;
}

absl::StatusOr<std::unique_ptr<Network>> Network::start(const std::vector<NetTwin>& twins,
                                                        const std::string& relay_redis) {
  auto n = std::make_unique<Network>();
  n->dir = make_temp_dir("rmb-compat-net");
  n->directory_path = n->dir + "/twins.json";
  std::vector<core::Twin> entries;
  for (const auto& t : twins) entries.push_back(t.entry());
  if (auto s = write_directory(n->directory_path, {}, entries); !s.ok()) return s;
  n->relay_args = {"--directory", n->directory_path, "--domain", "relay.test"};
  if (!relay_redis.empty()) n->relay_args.insert(n->relay_args.end(), {"-r", relay_redis});
  auto relay = RelayProcess::start(n->relay_args);
  if (!relay.ok()) return relay.status();
  n->relay = std::move(*relay);
  return n;
}

absl::StatusOr<std::unique_ptr<InprocPeer>> InprocPeer::start(const NetTwin& twin, const Network& network,
                                                              const std::string& redis_url) {
  std::unique_ptr<InprocPeer> p(new InprocPeer());
  auto identity = gateway::make_identity(core::KeyType::kEd25519, twin.secret, twin.id);
  if (!identity.ok()) return identity.status();
  auto directory = core::FileDirectory::open(network.directory_path);
  if (!directory.ok()) return directory.status();
  p->directory_ = std::move(*directory);
  gateway::LinkOptions links;
  links.urls = {absl::StrCat("ws://127.0.0.1:", network.relay->port(), "/")};
  links.twin = twin.id;
  links.signer = identity->signer.get();  // the signer object moves with the identity, unchanged
  links.backoff_min = 100ms;
  links.backoff_max = 1000ms;
  p->links_ = gateway::make_relay_links(p->io_, std::move(links));
  gateway::EngineOptions options;
  options.version = "v-compat-test";
  p->engine_ =
      std::make_unique<gateway::Engine>(p->io_, std::move(*identity), *p->directory_, *p->links_, std::move(options));
  p->engine_->start();
  p->work_.emplace(p->io_.get_executor());
  p->thread_ = std::thread([io = &p->io_] { io->run(); });
  for (int i = 0; i < 400 && !p->links_->any_connected(); ++i) std::this_thread::sleep_for(50ms);
  if (!p->links_->any_connected()) return absl::UnavailableError(absl::StrCat("twin ", twin.id, " did not connect"));
  auto door = compat::start_redis_front_door({redis_url}, *p->engine_, *p->engine_);
  if (!door.ok()) return door.status();
  p->door_ = std::move(*door);
  return p;
}

InprocPeer::~InprocPeer() {
  if (door_) door_->stop();
  if (engine_) engine_->stop();
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  door_.reset();
  links_.reset();
  engine_.reset();
}

}  // namespace rmb::test
