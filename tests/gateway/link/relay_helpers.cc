#include "tests/gateway/link/relay_helpers.h"

#include <cstdlib>

#include "core/protocol/envelope/signing.h"
#include "core/util/clock.h"
#include "tests/support/ws_client.h"

namespace rmb::gateway::link {

std::vector<std::string> relay_flags(const std::string& dir, const std::vector<test::TestTwin>& twins) {
  const std::string path = dir + "/twins.json";
  if (!test::write_directory(path, twins).ok()) std::abort();
  return {"--directory", path, "--domain", "relay.test", "--no-federation", "--threads", "2", "--mailbox", "memory"};
}

rmb::Envelope signed_request(const test::TestTwin& from, uint32_t to, const std::string& payload) {
  rmb::Envelope env;
  env.set_uid(test::random_uid());
  env.set_timestamp(core::unix_now());
  env.set_expiration(300);
  env.mutable_source()->set_twin(from.id);
  env.mutable_destination()->set_twin(to);
  env.mutable_request()->set_command("test.links");
  env.set_plain(payload);
  core::sign_envelope(env, *from.signer);
  return env;
}

std::string serialize(const rmb::Envelope& envelope) {
  std::string out;
  envelope.SerializeToString(&out);
  return out;
}

}  // namespace rmb::gateway::link
