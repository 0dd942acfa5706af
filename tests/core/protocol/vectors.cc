#include "tests/core/protocol/vectors.h"

namespace rmb::core::vectors {

rmb::Envelope build_a() {
  rmb::Envelope env;
  env.set_uid(kUidA);
  env.set_timestamp(1700000000);
  env.set_expiration(300);
  env.mutable_source()->set_twin(7);
  env.mutable_destination()->set_twin(55);
  env.mutable_request()->set_command("zos.system.version");
  env.set_schema("application/json");
  env.set_plain("\"hello\"");
  return env;
}

rmb::Envelope build_b() {
  rmb::Envelope env;
  env.set_uid("u-1");
  env.set_tags("fail-fast");
  env.set_timestamp(1700000000);
  env.set_expiration(60);
  env.mutable_source()->set_twin(7);
  env.mutable_source()->set_connection("sess1");
  env.mutable_destination()->set_twin(55);
  env.mutable_destination()->set_connection("x");
  env.mutable_request()->set_command("calc.add");
  env.set_schema("application/json");
  // Deprecated for writers; vector B sets it on purpose because it is still signed.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  env.set_federation("old.relay");
#pragma GCC diagnostic pop
  env.set_cipher(hex_str(kHelloCipher));
  env.add_relays("r1.example.com");
  env.add_relays("r2.example.com");
  return env;
}

rmb::Envelope build_c() {
  rmb::Envelope env;
  env.set_uid(kUidA);
  env.set_timestamp(1700000005);
  env.set_expiration(1800);
  env.mutable_source()->set_twin(55);
  env.mutable_destination()->set_twin(7);
  env.mutable_response();
  env.set_schema("application/json");
  env.set_plain(R"({"v":"1.0"})");
  return env;
}

rmb::Envelope build_d() {
  rmb::Envelope env;
  env.set_uid("u-2");
  env.set_timestamp(1700000005);
  env.set_expiration(300);
  env.mutable_source()->set_twin(55);
  env.mutable_destination()->set_twin(7);
  env.mutable_error()->set_code(104);
  env.mutable_error()->set_message("invalid envelope signature: x");
  return env;
}

rmb::Envelope build_e() {
  rmb::Envelope env;
  env.set_uid("p-1");
  env.set_timestamp(1700000000);
  env.set_expiration(40);
  env.mutable_source()->set_twin(7);
  env.mutable_source()->set_connection("sess1");
  env.mutable_destination();  // present but empty: encodes as 32 00
  env.mutable_ping();
  return env;
}

}  // namespace rmb::core::vectors
