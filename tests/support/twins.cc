#include "tests/support/twins.h"

#include <sodium.h>
#include <stdlib.h>

#include <cstdio>
#include <fstream>

#include "core/directory/file_directory.h"

namespace rmb::test {

core::Twin TestTwin::directory_entry() const {
  core::Twin twin;
  twin.id = id;
  twin.account = signer->account();
  twin.relays = relays;
  return twin;
}

std::vector<TestTwin> make_twins(size_t count, uint32_t first_id, const std::set<std::string>& relays) {
  if (sodium_init() < 0) std::abort();
  std::vector<TestTwin> twins;
  twins.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    TestTwin twin;
    twin.id = first_id + static_cast<uint32_t>(i);
    randombytes_buf(twin.seed.data(), twin.seed.size());
    auto signer = core::make_signer(core::KeyType::kEd25519, twin.seed);
    if (!signer.ok()) std::abort();  // ed25519 always exists
    twin.signer = std::move(*signer);
    twin.relays = relays;
    twins.push_back(std::move(twin));
  }
  return twins;
}

absl::Status write_directory(const std::string& path, const std::vector<TestTwin>& twins,
                             const std::vector<core::Twin>& extra) {
  std::vector<core::Twin> entries;
  for (const auto& t : twins) entries.push_back(t.directory_entry());
  entries.insert(entries.end(), extra.begin(), extra.end());
  // Write then rename so a relay reloading the file never sees half of it.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << core::directory_to_json(entries);
    if (!out) return absl::InternalError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return absl::InternalError("cannot rename to " + path);
  return absl::OkStatus();
}

}  // namespace rmb::test
