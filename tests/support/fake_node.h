#pragma once
// A fake Substrate node at the protocol boundary: a real JSON-RPC 2.0 server on a
// WebSocket (Beast) on 127.0.0.1, with tfgrid storage kept in a map built with the same
// SCALE encoding as the chain. It answers the calls the tfchain backend makes
// (state_getStorage, state_getRuntimeVersion, chain_getBlockHash(0),
// system_accountNextIndex, author_submitExtrinsic) and nothing else (-32601).
//
// author_submitExtrinsic decodes the extrinsic, checks the signature over the signing
// payload against the signer account (core verify_signature: ed25519, and sr25519 once
// core supports it), checks the nonce, then applies update_twin like the pallet does:
// only for an account that owns a twin and only with a chain-valid relay; otherwise the
// extrinsic is "included" but changes nothing (a dispatch error on a real chain).
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/directory/substrate/scale.h"
#include "core/directory/substrate/storage_keys.h"
#include "tests/support/twins.h"

namespace rmb::test {

inline core::Bytes text_bytes(std::string_view s) { return core::Bytes(s.begin(), s.end()); }

// A twin record as the chain keeps it, for FakeNode::put_twin().
inline core::ChainTwin chain_twin(uint32_t id, const core::AccountId& account, std::optional<std::string> relay,
                                  std::optional<core::Bytes> pk) {
  core::ChainTwin t;
  t.id = id;
  t.account = account;
  if (relay) t.relay = text_bytes(*relay);
  t.pk = std::move(pk);
  return t;
}
// Same for a test twin: its account, on `relay`, no e2e key.
inline core::ChainTwin chain_twin(const TestTwin& twin, const std::string& relay) {
  return chain_twin(twin.id, twin.signer->account(), relay, std::nullopt);
}

class FakeNode {
 public:
  static constexpr uint32_t kSpecVersion = 149;
  static constexpr uint32_t kTransactionVersion = 2;

  FakeNode();  // listening on a free port
  ~FakeNode();
  FakeNode(const FakeNode&) = delete;
  FakeNode& operator=(const FakeNode&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const;

  // Node down: closes the listener and every connection. start() listens again on the
  // same port.
  void stop();
  void start();

  // Twins(id) and TwinIdByAccountID(account).
  void put_twin(const core::ChainTwin& twin);
  void put_raw(const core::Bytes& key, const core::Bytes& value);
  std::optional<core::ChainTwin> twin(uint32_t id);

  // Requests received per method (counted on arrival).
  uint64_t count(const std::string& method);
  // While held, state_getStorage answers are kept back; release_storage() sends them.
  void hold_storage();
  void release_storage();

  const core::Hash256& genesis() const { return genesis_; }
  uint64_t nonce(const core::AccountId& account);
  // Extrinsics that passed the pool checks but changed nothing (dispatch errors).
  uint64_t dispatch_errors() const { return dispatch_errors_.load(); }

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
  core::Hash256 genesis_{};
  std::atomic<uint64_t> dispatch_errors_{0};
};

}  // namespace rmb::test
