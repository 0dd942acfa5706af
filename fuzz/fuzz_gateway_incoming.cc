// A frame from a relay into rmb-peer's engine (gateway/engine/incoming.cc): parse, expiry,
// the sender's twin, signature, decryption, then the decision: a service gets the request,
// a pending call gets the reply, or the frame is dropped or answered with an error. The
// engine runs whole, with this peer as twin 1, twin 2 as a sender with a known key and an
// e2e pk, twin 3 a directory failure, and the relay links and the directory faked.
//
// Input: byte 0 is what the harness does to the envelope in the rest before it goes in, so
// the fuzzer gets past the signature check: bit 0 stamps it now (timestamp) with an hour to
// live, bit 1 moves `plain` into `cipher` encrypted for this peer, bit 2 signs it with twin
// 2's key. Without them the bytes go in as they are.
//
// Time is fixed (kNow, the engine's EngineOptions::now and the harness's stamp) and the engine
// arms no resend timer, so one input takes one path: a fixed-seed run (scripts/fuzz.sh --seed)
// makes the same inputs and the same coverage every time. (The engine's steady clock, which
// expires its dedupe and reply caches, stays real: only a repeat of a request after its
// entry expired, at least 1 s later, could still go another way.)
//
// Property beyond "no crash": a service is handed only requests whose envelope verifies
// against the directory's account of the twin it names as source.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "core/protocol/e2e/cipher.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/identity/ed25519.h"
#include "fuzz/harness.h"
#include "gateway/engine/engine.h"
#include "rmb/types.pb.h"

namespace {

using namespace rmb;
using rmb::fuzz::require;

// twin 2: the Appendix A key, which also signs the seed corpus; its e2e key from the same seed.
const core::Seed kSenderSeed =
    *core::from_hex_fixed<32>("aa4e323bade8609a595108b585c4135855430c411ccf7923f81438cd8a188fce");
// The seeds' envelopes are stamped 1700000000 with 60 s to live: "now" is inside that window,
// so a seed that goes in as it is (byte 0 = 0) is not expired either.
constexpr uint64_t kNow = 1700000030;
const char kPeerSecret[] = "0x1111111111111111111111111111111111111111111111111111111111111111";

class Directory : public core::TwinDirectory {
 public:
  std::optional<core::Twin> sender;
  void get_twin(uint32_t id, TwinCallback done) override {
    if (id == 2) return done(sender);
    if (id == 3) return done(absl::UnavailableError("chain node down"));
    done(std::optional<core::Twin>());
  }
  void get_twin_id(const core::AccountId&, IdCallback done) override { done(std::optional<uint32_t>()); }
};

class Links : public gateway::RelayLinks {
 public:
  FrameHandler on_frame;
  void start(FrameHandler frame, LinkEventHandler) override { on_frame = std::move(frame); }
  void stop() override {}
  void send(std::shared_ptr<const std::string>, Clock::time_point, SendDone done) override { done(absl::OkStatus()); }
  std::vector<gateway::LinkStatus> status() const override { return {}; }
  bool any_connected() const override { return true; }
};

// What the service was handed; checked against the frame that went in.
class Service : public gateway::RequestSink {
 public:
  int offered = 0;
  bool offer(const gateway::IncomingRequest&) override {
    ++offered;
    return true;
  }
};

struct World {
  boost::asio::io_context io;
  Directory directory;
  Links links;
  std::shared_ptr<Service> service = std::make_shared<Service>();
  std::unique_ptr<gateway::Engine> engine;
  core::Ed25519Signer sender_signer{kSenderSeed};
  core::SharedKey to_peer{};  // twin 2 -> twin 1

  World() {
    rmb::fuzz::quiet_logs();
    auto identity = gateway::make_identity(core::KeyType::kEd25519, kPeerSecret, 1);
    require(identity.ok());
    auto sender_e2e = core::E2eKey::from_seed(kSenderSeed);
    require(sender_e2e.ok());
    const auto& peer_pk = identity->e2e->public_key();
    to_peer = *sender_e2e->shared_key(core::ByteView(peer_pk.data(), peer_pk.size()));
    const auto& pk = sender_e2e->public_key();
    directory.sender = core::Twin{2, sender_signer.account(), {"relay.test"}, core::Bytes(pk.begin(), pk.end())};

    gateway::EngineOptions options;
    options.version = "fuzz";
    options.service_grace = std::chrono::milliseconds(0);  // no parking: decide at once
    options.resend_after = std::chrono::milliseconds(0);   // no resend timer (it reads the real clock)
    options.now = [] { return kNow; };
    engine = std::make_unique<gateway::Engine>(io, std::move(*identity), directory, links, options);
    engine->add_service("fuzz.echo", service);
    engine->start();
  }
};

World& world() {
  static World* w = new World();  // never destroyed: the engine's timers outlive any input
  return *w;
}

// The harness's edits of the envelope (byte 0); the frame is the input itself without them.
std::string prepare(uint8_t flags, std::string frame, World& w) {
  if ((flags & 7) == 0) return frame;
  Envelope env;
  if (!env.ParseFromString(frame)) return frame;
  if (flags & 1) {
    env.set_timestamp(kNow);
    env.set_expiration(3600);
  }
  if ((flags & 2) && !env.plain().empty()) {
    env.set_cipher(std::string(core::as_chars(core::e2e_encrypt(w.to_peer, core::as_bytes(env.plain())))));
  }
  if (flags & 4) core::sign_envelope(env, w.sender_signer);
  return env.SerializeAsString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  World& w = world();
  const std::string frame = prepare(data[0], std::string(reinterpret_cast<const char*>(data + 1), size - 1), w);

  const int offered_before = w.service->offered;
  w.links.on_frame(frame);
  w.io.poll();
  w.io.restart();
  if (w.service->offered == offered_before) return 0;

  Envelope env;
  require(env.ParseFromString(frame) && env.has_request());
  auto sender = env.source().twin() == 2 ? w.directory.sender : std::nullopt;
  require(sender.has_value() && core::verify_envelope(env, sender->account).ok());
  return 0;
}
