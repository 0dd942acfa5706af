// Writing an envelope to the relays (PROTOCOL.md §8.6).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/obs/log.h"
#include "core/protocol/e2e/cipher.h"
#include "core/protocol/envelope/signing.h"
#include "core/protocol/envelope/ttl.h"
#include "core/protocol/errors.h"
#include "gateway/engine/engine_impl.h"

namespace rmb::gateway {

void Engine::Impl::write(std::shared_ptr<rmb::Envelope> envelope, WriteDone done) {
  const uint32_t twin = envelope->destination().twin();
  twins.get_twin(twin, [self = shared_from_this(), envelope = std::move(envelope), twin,
                        done = std::move(done)](absl::StatusOr<std::optional<core::Twin>> found) mutable {
    if (!found.ok()) {
      done(RmbError{core::rmb_error::kOther,
                    core::rmb_error::text(core::rmb_error::kOther,
                                          absl::StrCat("failed to get twin information: ", found.status().message()))},
           nullptr);
      return;
    }
    if (!found->has_value()) {
      done(RmbError{core::rmb_error::kUnknownTwin,
                    core::rmb_error::text(core::rmb_error::kUnknownTwin, std::to_string(twin))},
           nullptr);
      return;
    }
    core::Twin destination = std::move(**found);
    if (!destination.pk || !self->keys) {
      self->finish_write(std::move(envelope), destination, false, std::move(done));
      return;
    }
    // Encrypt only when this twin publishes a pk too (like the TS client, §9.2): the
    // receiver decrypts with the sender's published pk, and without one it can only answer
    // 105. A failed self lookup encrypts, as the Rust peer always does.
    self->twins.get_twin(self->identity.twin,
                         [self, envelope = std::move(envelope), destination = std::move(destination),
                          done = std::move(done)](absl::StatusOr<std::optional<core::Twin>> own) mutable {
                           const bool encrypt = !own.ok() || (own->has_value() && (*own)->pk.has_value());
                           self->finish_write(std::move(envelope), destination, encrypt, std::move(done));
                         });
  });
}

void Engine::Impl::finish_write(std::shared_ptr<rmb::Envelope> envelope, const core::Twin& destination, bool encrypt,
                                WriteDone done) {
  rmb::Envelope& env = *envelope;
  if (encrypt && destination.pk && keys) {
    if (auto shared = keys->get(*destination.pk); !shared.ok()) {
      // §8.6 step 2: the message becomes an e2e error, which is still sent.
      env.clear_payload();
      auto* error = env.mutable_error();
      error->set_code(core::rmb_error::kE2e);
      error->set_message(core::rmb_error::text(core::rmb_error::kE2e, shared.status().message()));
      stats.count_error(core::rmb_error::kE2e);
    } else {
      core::Bytes cipher = core::e2e_encrypt(*shared, core::as_bytes(env.plain()));
      env.set_cipher(std::string(core::as_chars(cipher)));
    }
  }
  env.mutable_source()->set_twin(identity.twin);
  env.mutable_source()->clear_connection();
  const uint64_t now = options.now();
  core::stamp(env, now);
  const int64_t ttl = core::ttl_remaining(env, now);
  if (ttl <= 0) {
    done(RmbError{core::rmb_error::kOther,
                  core::rmb_error::text(core::rmb_error::kOther, "response has expired before sending!")},
         nullptr);
    return;
  }
  core::sign_envelope(env, *identity.signer);
  auto frame = std::make_shared<const std::string>(env.SerializeAsString());
  // A remote may send any expiration; cap the wait so the time point cannot overflow.
  const auto deadline = Clock::now() + std::chrono::seconds(std::min<int64_t>(ttl, 86400));
  links.send(frame, deadline, [self = shared_from_this(), frame, done = std::move(done)](absl::Status status) {
    if (status.ok()) {
      done(std::nullopt, frame);
      return;
    }
    self->stats.send_failures.inc();
    done(RmbError{core::rmb_error::kOther, core::rmb_error::text(core::rmb_error::kOther, status.message())}, frame);
  });
}

}  // namespace rmb::gateway
