// Our relay and rmb-peer against the real @threefold/rmb_direct_client from npm
// (PROTOCOL.md §13): a TS client calls a command served through our gateway, and our
// gateway calls a responder built on the TS client's own envelope, signing and e2e code.
// Run for both key types (ed25519 and the grid's default sr25519). Only the chain is
// stubbed, inside the JS harness (direct_client.js), from the same twins as our directory.
//
// The package is installed on first run into $RMB_BUILD_DIR/interop_direct/npm and reused.
// §13 describes 2.5.0; the registry now holds 2.0.0-rc8, 2.6.3 and 2.9.2, so we pin 2.6.3,
// the release closest to it (same client.js wire code as far as §13 describes).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/directory/file_directory.h"
#include "core/directory/twin.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/signer.h"
#include "core/util/bytes.h"
#include "rmb/api/v1/gateway.grpc.pb.h"
#include "tests/support/peer_process.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/twins.h"

namespace rmb::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
namespace api = rmb::api::v1;

constexpr char kPackage[] = "@threefold/rmb_direct_client@2.6.3";
constexpr char kCommand[] = "interop.echo";

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

// Runs `command` through the shell; its stdout, or the exit status on failure.
absl::StatusOr<std::string> run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError("popen failed");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  if (status != 0) return absl::InternalError("`" + command + "` exited with " + std::to_string(status) + ":\n" + out);
  return out;
}

struct Identity {
  uint32_t id = 0;
  core::Seed seed{};
  std::unique_ptr<core::Signer> signer;
  core::Twin entry;
  std::string seed_hex() const { return "0x" + core::to_hex(core::ByteView(seed.data(), seed.size())); }
};

Identity make_identity(uint32_t id, core::KeyType type) {
  Identity identity;
  identity.id = id;
  randombytes_buf(identity.seed.data(), identity.seed.size());
  auto signer = core::make_signer(type, identity.seed);
  auto e2e = core::E2eKey::from_seed(identity.seed);
  if (!signer.ok() || !e2e.ok()) std::abort();  // random 32 bytes are a valid scalar in practice
  identity.signer = std::move(*signer);
  identity.entry.id = id;
  identity.entry.account = identity.signer->account();
  identity.entry.relays = {"relay.test"};
  identity.entry.pk = core::Bytes(e2e->public_key().begin(), e2e->public_key().end());
  return identity;
}

class DirectClientInterop : public ::testing::TestWithParam<core::KeyType> {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(sodium_init() >= 0, true);
    npm_dir_ = new fs::path(fs::path(env_or("RMB_BUILD_DIR", ".")) / "interop_direct" / "npm");
    fs::create_directories(*npm_dir_);
    const fs::path marker = *npm_dir_ / "node_modules" / "@threefold" / "rmb_direct_client" / "package.json";
    if (!fs::exists(marker)) {
      auto installed = run("cd '" + npm_dir_->string() + "' && npm install --no-audit --no-fund --loglevel=error " +
                           kPackage + " 2>&1");
      ASSERT_TRUE(installed.ok()) << "could not install " << kPackage
                                  << " from npm (is the npm registry reachable?): " << installed.status();
    }
    // CommonJS resolves packages from the script's folder, so the harness runs from there.
    const fs::path src = fs::path(env_or("RMB_SOURCE_DIR", ".")) / "tests" / "interop" / "direct" / "direct_client.js";
    fs::copy_file(src, *npm_dir_ / "direct_client.js", fs::copy_options::overwrite_existing);
  }

  void SetUp() override {
    dir_ = make_temp_dir("rmb-interop-direct");
    ours_ = make_identity(1, GetParam());
    theirs_ = make_identity(2, GetParam());
    {
      std::ofstream out(dir_ + "/twins.json");
      out << core::directory_to_json({ours_.entry, theirs_.entry});
    }
    auto relay = RelayProcess::start({"--directory", dir_ + "/twins.json", "--domain", "relay.test"});
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);

    // On 127.0.0.1:0 (PeerProcess adds it); the address comes from the peer's ready line.
    auto peer = PeerProcess::start({"-k", std::string(core::key_type_name(GetParam())), "-m", ours_.seed_hex(),
                                    "--relay", "ws://127.0.0.1:" + std::to_string(relay_->port()), "--directory",
                                    dir_ + "/twins.json", "--no-redis"});
    ASSERT_TRUE(peer.ok()) << peer.status();
    peer_ = std::move(*peer);
    channel_ = grpc::CreateChannel(peer_->grpc_address(), grpc::InsecureChannelCredentials());
    stub_ = api::Gateway::NewStub(channel_);
    ASSERT_TRUE(wait_linked()) << "rmb-peer did not come up with a connected relay link";
  }

  // Info answers and shows a connected relay link.
  bool wait_linked() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
      api::InfoResponse info;
      if (stub_->Info(&ctx, api::InfoRequest(), &info).ok()) {
        for (const auto& link : info.relays()) {
          if (link.state() == api::RelayLink::CONNECTED) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // The harness config for the TS twin (`theirs_`).
  std::string write_config(const json& extra) {
    json twins = json::array();
    for (const Identity* t : {&ours_, &theirs_}) {
      twins.push_back({{"id", t->id},
                       {"account_hex", core::to_hex(core::ByteView(t->entry.account.data(), t->entry.account.size()))},
                       // What the TS client expects of its own record, so it never tries to update it.
                       {"relay", "ws:/127.0.0.1:" + std::to_string(relay_->port())},
                       {"pk", "0x" + core::to_hex(*t->entry.pk)}});
    }
    json config = {{"relay", "ws://127.0.0.1:" + std::to_string(relay_->port())},
                   {"mnemonic", theirs_.seed_hex()},
                   {"key_type", std::string(core::key_type_name(GetParam()))},
                   {"me", theirs_.id},
                   {"twins", twins}};
    config.update(extra);
    const std::string path = dir_ + "/config-" + std::to_string(config_count_++) + ".json";
    std::ofstream(path) << config.dump();
    return path;
  }

  std::string node(const std::string& mode, const std::string& config) const {
    return "cd '" + npm_dir_->string() + "' && exec node direct_client.js " + mode + " '" + config + "'";
  }

  static fs::path* npm_dir_;
  std::string dir_;
  Identity ours_, theirs_;
  std::unique_ptr<RelayProcess> relay_;
  std::unique_ptr<PeerProcess> peer_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<api::Gateway::Stub> stub_;
  int config_count_ = 0;
};

fs::path* DirectClientInterop::npm_dir_ = nullptr;

TEST_P(DirectClientInterop, TsClientCallsAServiceBehindOurGateway) {
  // Our service: a Serve stream on rmb-peer that echoes, as JSON the TS client can parse,
  // and with the schema the TS client insists on (Appendix B.4).
  grpc::ClientContext serve_ctx;
  auto stream = stub_->Serve(&serve_ctx);
  api::ServeRequest reg;
  reg.mutable_register_()->add_commands(kCommand);
  ASSERT_TRUE(stream->Write(reg));
  api::ServeResponse first;
  ASSERT_TRUE(stream->Read(&first));
  ASSERT_TRUE(first.has_registered());

  api::IncomingRequest seen;
  std::thread service([&] {
    api::ServeResponse in;
    if (!stream->Read(&in) || !in.has_request()) return;
    seen = in.request();
    api::ServeRequest out;
    out.mutable_reply()->set_request_id(seen.request_id());
    out.mutable_reply()->set_data(json({{"echo", seen.data()}, {"from", seen.source().twin()}}).dump());
    out.mutable_reply()->set_schema("application/json");
    stream->Write(out);
  });

  const std::string config =
      write_config({{"call", {{"dst", ours_.id}, {"cmd", kCommand}, {"data", "hello from ts"}, {"minutes", 1}}}});
  auto out = run(node("call", config));
  serve_ctx.TryCancel();
  service.join();
  ASSERT_TRUE(out.ok()) << out.status();
  const json result = json::parse(*out);
  ASSERT_TRUE(result["ok"].get<bool>()) << *out;
  EXPECT_EQ(result["reply"]["echo"], "hello from ts");
  EXPECT_EQ(result["reply"]["from"], theirs_.id);
  // What reached our service: decrypted, from the TS twin, with the TS client's schema.
  EXPECT_EQ(seen.data(), "hello from ts");
  EXPECT_EQ(seen.source().twin(), theirs_.id);
  EXPECT_EQ(seen.command(), kCommand);
}

TEST_P(DirectClientInterop, OurGatewayCallsATsResponder) {
  const std::string config = write_config(json::object());
  const std::string log = dir_ + "/ts-serve.out";
  auto responder = ChildProcess::spawn({"/bin/sh", "-c", node("serve", config) + " > '" + log + "'"});
  ASSERT_TRUE(responder.ok()) << responder.status();
  bool ready = false;
  for (int i = 0; i < 200 && !ready; ++i) {
    std::ifstream in(log);
    std::string line;
    ready = std::getline(in, line) && line == "ready";
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "the TS responder did not start";

  api::CallRequest call;
  call.mutable_destination()->set_twin(theirs_.id);
  call.set_command(kCommand);
  call.set_data("hello from c++");
  call.set_schema("application/json");  // the TS side verifies with this schema (Appendix B.4)
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  api::Reply reply;
  const grpc::Status status = stub_->Call(&ctx, call, &reply);
  (*responder)->stop(SIGTERM);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(reply.source().twin(), theirs_.id);
  const json body = json::parse(reply.data());
  EXPECT_EQ(body["echo"], "hello from c++");
  EXPECT_EQ(body["command"], kCommand);
  // The TS side checked our signature with its own code.
  EXPECT_EQ(body["verified"], true);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, DirectClientInterop,
                         ::testing::Values(core::KeyType::kEd25519, core::KeyType::kSr25519),
                         [](const auto& info) { return std::string(core::key_type_name(info.param)); });

}  // namespace
}  // namespace rmb::test
