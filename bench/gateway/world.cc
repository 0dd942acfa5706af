#include "bench/gateway/world.h"

#include <sodium.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "core/directory/file_directory.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/signer.h"
#include "core/util/bytes.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::bench {
namespace {

namespace apiv1 = rmb::api::v1;
using namespace std::chrono_literals;

constexpr char kDomain[] = "bench.local";
constexpr uint32_t kCallerTwin = 1;
constexpr uint32_t kServiceTwin = 2;

struct BenchTwin {
  uint32_t id = 0;
  core::Seed seed{};
  core::Twin entry;
};

absl::StatusOr<BenchTwin> make_twin(uint32_t id, core::KeyType type) {
  BenchTwin twin;
  twin.id = id;
  // Random 32 bytes are a valid secp256k1 scalar but for ~2^-128; retry anyway.
  for (int attempt = 0; attempt < 4; ++attempt) {
    randombytes_buf(twin.seed.data(), twin.seed.size());
    auto signer = core::make_signer(type, twin.seed);
    if (!signer.ok()) return signer.status();
    auto e2e = core::E2eKey::from_seed(twin.seed);
    if (!e2e.ok()) continue;
    twin.entry.id = id;
    twin.entry.account = (*signer)->account();
    twin.entry.relays = {kDomain};
    // Published e2e key: the sender's writer encrypts whenever both ends have one.
    twin.entry.pk = core::Bytes(e2e->public_key().begin(), e2e->public_key().end());
    return twin;
  }
  return absl::InternalError("no valid e2e key from 4 random seeds");
}

absl::StatusOr<std::string> make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/rmb-bench-gateway-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  return pattern;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Waits for "rmb-peer ready: twin <id>, grpc <addr>" in the peer's log.
absl::Status wait_peer_ready(PeerHandle& peer, std::chrono::seconds timeout) {
  constexpr std::string_view kReady = "rmb-peer ready: twin ";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!peer.process->running()) {
      return absl::FailedPreconditionError(absl::StrCat("rmb-peer (twin ", peer.twin, ") ",
                                                        peer.process->exit_description(), " during start-up; log ",
                                                        peer.process->log_path(), ":\n", peer.process->log_tail()));
    }
    const std::string log = read_file(peer.process->log_path());
    const size_t at = log.find(kReady);
    if (at != std::string::npos) {
      const size_t eol = log.find('\n', at);
      if (eol != std::string::npos) {
        const std::string line = log.substr(at, eol - at);
        const size_t grpc = line.find(", grpc ");
        if (grpc == std::string::npos) return absl::InternalError("unexpected ready line: " + line);
        peer.grpc_address = line.substr(grpc + 7);
        return absl::OkStatus();
      }
    }
    std::this_thread::sleep_for(50ms);
  }
  return absl::DeadlineExceededError(absl::StrCat("rmb-peer (twin ", peer.twin, ") not ready after ", timeout.count(),
                                                  " s; log ", peer.process->log_path(), ":\n",
                                                  peer.process->log_tail()));
}

// Waits until Info reports the peer's relay link CONNECTED: before that a Call would
// fail with UNAVAILABLE, which is start-up, not the bench.
absl::Status wait_link_up(const PeerHandle& peer, std::chrono::seconds timeout) {
  auto channel = grpc::CreateChannel(peer.grpc_address, grpc::InsecureChannelCredentials());
  auto stub = apiv1::Gateway::NewStub(channel);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 2s);
    apiv1::InfoResponse info;
    grpc::Status status = stub->Info(&context, apiv1::InfoRequest(), &info);
    if (status.ok()) {
      for (const auto& link : info.relays()) {
        if (link.state() == apiv1::RelayLink::CONNECTED) return absl::OkStatus();
        last = absl::StrCat("link ", link.url(), " state ", apiv1::RelayLink::State_Name(link.state()), " ",
                            link.last_error());
      }
    } else {
      last = status.error_message();
    }
    std::this_thread::sleep_for(50ms);
  }
  return absl::DeadlineExceededError(
      absl::StrCat("rmb-peer (twin ", peer.twin, ") relay link not up after ", timeout.count(), " s: ", last));
}

}  // namespace

absl::StatusOr<std::unique_ptr<World>> World::start(const WorldOptions& options) {
  if (sodium_init() < 0) return absl::InternalError("sodium_init failed");
  std::unique_ptr<World> world(new World());
  world->keep_temp_ = options.keep_temp;
  auto dir = make_temp_dir();
  if (!dir.ok()) return dir.status();
  world->dir_ = *dir;

  auto a = make_twin(kCallerTwin, options.key_type);
  if (!a.ok()) return a.status();
  auto b = make_twin(kServiceTwin, options.key_type);
  if (!b.ok()) return b.status();
  const std::string directory = world->dir_ + "/twins.json";
  {
    std::ofstream out(directory, std::ios::trunc);
    out << core::directory_to_json({a->entry, b->entry});
    if (!out) return absl::InternalError("cannot write " + directory);
  }

  RelayLaunch relay;
  relay.binary = options.relay_binary;
  relay.directory_file = directory;
  relay.domain = kDomain;
  relay.log_path = world->dir_ + "/relay.log";
  auto started_relay = start_relay(relay);
  if (!started_relay.ok()) return started_relay.status();
  world->relay_ = std::move(*started_relay);

  for (auto [twin, handle] : {std::pair{&*a, &world->a_}, std::pair{&*b, &world->b_}}) {
    ChildSpec spec;
    spec.program = options.peer_binary;
    spec.args = {"-k",
                 std::string(core::key_type_name(options.key_type)),
                 "-m",
                 "0x" + core::to_hex(twin->seed),
                 "--relay",
                 absl::StrCat("ws://127.0.0.1:", world->relay_.port),
                 "--directory",
                 directory,
                 "--grpc-listen",
                 options.unix_grpc ? absl::StrCat("unix:", world->dir_, "/peer-", twin->id, ".sock") : "127.0.0.1:0",
                 "--no-redis"};
    if (options.peer_threads != 0) {
      spec.args.push_back("--threads");
      spec.args.push_back(absl::StrCat(options.peer_threads));
    }
    spec.log_path = absl::StrCat(world->dir_, "/peer-", twin->id, ".log");
    auto child = ChildProcess::spawn(spec);
    if (!child.ok()) return child.status();
    handle->process = std::move(*child);
    handle->twin = twin->id;
    if (auto ready = wait_peer_ready(*handle, 30s); !ready.ok()) return ready;
  }
  for (const PeerHandle* peer : {&world->a_, &world->b_}) {
    if (auto up = wait_link_up(*peer, 30s); !up.ok()) return up;
  }

  auto nats = start_nats(options.nats_binary, world->dir_ + "/nats.log", {});
  if (!nats.ok()) return nats.status();
  world->nats_ = std::move(*nats);
  return world;
}

std::string World::dead_child() {
  auto check = [](ChildProcess* p, const std::string& name) -> std::string {
    if (p == nullptr || p->running()) return "";
    return absl::StrCat(name, " ", p->exit_description(), "; log ", p->log_path(), ":\n", p->log_tail());
  };
  for (auto [p, name] :
       {std::pair{relay_.process.get(), std::string("rmb-relay")},
        std::pair{a_.process.get(), std::string("rmb-peer A")}, std::pair{b_.process.get(), std::string("rmb-peer B")},
        std::pair{nats_.process.get(), std::string("nats-server")}}) {
    std::string dead = check(p, name);
    if (!dead.empty()) return dead;
  }
  return "";
}

World::~World() {
  // Callers first, service side last, so no peer logs a vanished link as an error.
  if (nats_.process) nats_.process->stop();
  if (a_.process) a_.process->stop();
  if (b_.process) b_.process->stop();
  if (relay_.process) relay_.process->stop();
  if (!keep_temp_ && !dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

}  // namespace rmb::bench
