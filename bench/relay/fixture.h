#pragma once
// The world a bench run needs: a private temp dir, N fresh ed25519 twins (random seeds)
// and the twins.json directory that names them all as living on `domain`.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/protocol/identity/signer.h"

namespace rmb::bench {

struct Identity {
  uint32_t twin = 0;
  std::unique_ptr<core::Signer> signer;
};

class Fixture {
 public:
  // Twin ids are 1..count.
  static absl::StatusOr<std::unique_ptr<Fixture>> create(size_t count, const std::string& domain);
  ~Fixture();  // removes the temp dir
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& directory_file() const { return directory_file_; }
  size_t size() const { return identities_.size(); }
  const Identity& identity(size_t index) const { return identities_.at(index); }
  // A relay token for identity `index` (PROTOCOL.md §4.1), valid for an hour.
  std::string token(size_t index, const std::optional<std::string>& sid = std::nullopt) const;

 private:
  Fixture() = default;
  std::string dir_;
  std::string directory_file_;
  std::vector<Identity> identities_;
};

}  // namespace rmb::bench
