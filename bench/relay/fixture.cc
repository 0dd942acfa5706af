#include "bench/relay/fixture.h"

#include <sodium.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "core/directory/file_directory.h"
#include "core/protocol/jwt/jwt.h"
#include "core/util/clock.h"

namespace rmb::bench {

absl::StatusOr<std::unique_ptr<Fixture>> Fixture::create(size_t count, const std::string& domain) {
  if (sodium_init() < 0) return absl::InternalError("sodium_init failed");
  std::unique_ptr<Fixture> fx(new Fixture());
  std::string tmpl = (std::filesystem::temp_directory_path() / "rmb-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  fx->dir_ = tmpl;

  std::vector<core::Twin> twins;
  twins.reserve(count);
  fx->identities_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    core::Seed seed;
    randombytes_buf(seed.data(), seed.size());
    auto signer = core::make_signer(core::KeyType::kEd25519, seed);
    sodium_memzero(seed.data(), seed.size());
    if (!signer.ok()) return signer.status();
    Identity id{static_cast<uint32_t>(i + 1), std::move(*signer)};
    twins.push_back(core::Twin{id.twin, id.signer->account(), {domain}, std::nullopt});
    fx->identities_.push_back(std::move(id));
  }
  fx->directory_file_ = fx->dir_ + "/twins.json";
  std::ofstream out(fx->directory_file_);
  out << core::directory_to_json(twins);
  if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", fx->directory_file_));
  return fx;
}

Fixture::~Fixture() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string Fixture::token(size_t index, const std::optional<std::string>& sid) const {
  const Identity& id = identities_.at(index);
  return core::mint_jwt(*id.signer, id.twin, sid, core::unix_now(), 3600);
}

}  // namespace rmb::bench
