#include "bench/gateway/crypto_floor.h"

#include <sodium.h>
#include <time.h>

#include <functional>
#include <string>

#include "core/protocol/e2e/cipher.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/identity/signer.h"
#include "core/util/clock.h"
#include "rmb/types.pb.h"

namespace rmb::bench {
namespace {

double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// Mean thread CPU microseconds of `op`, run in batches until `seconds` of CPU have gone.
double time_op(const std::function<void()>& op, double seconds) {
  for (int i = 0; i < 5; ++i) op();  // warm caches and lazy tables
  const double start = thread_cpu_us();
  size_t runs = 0;
  double now = start;
  while (runs < 50 || now - start < seconds * 1e6) {
    for (int i = 0; i < 10; ++i) op();
    runs += 10;
    now = thread_cpu_us();
  }
  return (now - start) / static_cast<double>(runs);
}

absl::StatusOr<core::E2eKey> random_e2e_key() {
  for (int attempt = 0; attempt < 4; ++attempt) {
    core::Seed seed{};
    randombytes_buf(seed.data(), seed.size());
    auto key = core::E2eKey::from_seed(seed);
    if (key.ok()) return key;
  }
  return absl::InternalError("no valid e2e key from 4 random seeds");
}

}  // namespace

absl::StatusOr<CryptoFloor> measure_crypto_floor(core::KeyType type, size_t payload_bytes, double seconds_each) {
  if (sodium_init() < 0) return absl::InternalError("sodium_init failed");
  core::Seed seed{};
  randombytes_buf(seed.data(), seed.size());
  auto signer = core::make_signer(type, seed);
  if (!signer.ok()) return signer.status();
  auto own = random_e2e_key();
  if (!own.ok()) return own.status();
  auto peer = random_e2e_key();
  if (!peer.ok()) return peer.status();
  auto shared = own->shared_key(peer->public_key());
  if (!shared.ok()) return shared.status();

  const std::string payload(payload_bytes, 'x');
  const core::Bytes cipher = core::e2e_encrypt(*shared, core::as_bytes(payload));
  // What the caller's peer signs: a request to twin 2 carrying the cipher (writer.cc).
  rmb::Envelope envelope;
  envelope.set_uid("0c8b5d8e-6f3a-4c1e-9a77-2f1d3b4c5d6e");
  envelope.set_timestamp(core::unix_now());
  envelope.set_expiration(300);
  envelope.mutable_request()->set_command("bench.echo");
  envelope.mutable_destination()->set_twin(2);
  envelope.mutable_source()->set_twin(1);
  envelope.set_cipher(std::string(core::as_chars(cipher)));
  core::sign_envelope(envelope, **signer);
  if (auto ok = core::verify_envelope(envelope, (*signer)->account()); !ok.ok()) return ok;

  CryptoFloor floor;
  rmb::Envelope scratch = envelope;
  floor.sign_us = time_op([&] { core::sign_envelope(scratch, **signer); }, seconds_each);
  floor.verify_us = time_op(
      [&] {
        if (!core::verify_envelope(envelope, (*signer)->account()).ok()) std::abort();
      },
      seconds_each);
  floor.encrypt_us = time_op([&] { (void)core::e2e_encrypt(*shared, core::as_bytes(payload)); }, seconds_each);
  floor.decrypt_us = time_op(
      [&] {
        if (!core::e2e_decrypt(*shared, cipher).ok()) std::abort();
      },
      seconds_each);
  return floor;
}

}  // namespace rmb::bench
