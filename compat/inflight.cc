#include "compat/inflight.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "compat/shapes.h"

namespace rmb::compat {

StateKeys state_keys(const std::string& instance) {
  std::string suffix = instance.empty() ? "" : absl::StrCat(".", instance);
  return StateKeys{absl::StrCat(kLocalQueue, ".processing", suffix), absl::StrCat(kReplyQueue, ".processing", suffix),
                   absl::StrCat("msgbus.system.inflight", suffix), absl::StrCat("msgbus.system.seen", suffix, ".")};
}

std::string seen_key(const StateKeys& keys, const std::string& src, const std::string& uid) {
  return absl::StrCat(keys.seen_prefix, src, ".", uid);
}

std::string answered_field(const std::string& uid, uint32_t twin) { return absl::StrCat(uid, "#", twin); }

InflightState parse_inflight(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::map<std::string, InflightRecord> records;
  std::vector<std::pair<std::string, uint32_t>> markers;
  std::vector<std::string> stray;
  for (const auto& [field, value] : fields) {
    auto hash = field.rfind('#');
    if (hash == std::string::npos) {
      auto& r = records[field];
      r.uid = field;
      r.request = value;
      continue;
    }
    uint32_t twin = 0;
    if (absl::SimpleAtoi(absl::string_view(field).substr(hash + 1), &twin)) {
      markers.emplace_back(field.substr(0, hash), twin);
    } else {
      stray.push_back(field);
    }
  }
  for (const auto& [uid, twin] : markers) {
    auto it = records.find(uid);
    if (it == records.end()) {
      stray.push_back(answered_field(uid, twin));
    } else {
      it->second.answered.insert(twin);
    }
  }
  InflightState out;
  for (auto& [uid, r] : records) out.records.push_back(std::move(r));
  out.stray_fields = std::move(stray);
  return out;
}

}  // namespace rmb::compat
