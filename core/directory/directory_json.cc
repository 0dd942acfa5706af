// The twin directory file format (docs/directory-file.md): parse with validation, and
// serialise. Declared in file_directory.h.
#include <limits>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/directory/file_directory.h"
#include "core/directory/relay_domain.h"
#include "core/protocol/identity/ss58.h"

namespace rmb::core {
namespace {

using nlohmann::json;

constexpr int kFormatVersion = 1;

// "twins[3] (id 7)" or "twins[3]" while the id is not known yet.
std::string entry_name(size_t index, std::optional<uint32_t> id) {
  if (!id) return absl::StrCat("twins[", index, "]");
  return absl::StrCat("twins[", index, "] (id ", *id, ")");
}

absl::Status field_error(size_t index, std::optional<uint32_t> id, absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("directory: ", entry_name(index, id), ": field \"", field, "\": ", why));
}

const char* json_type(const json& j) { return j.type_name(); }

absl::StatusOr<uint32_t> parse_id(const json& entry, size_t index) {
  auto it = entry.find("id");
  if (it == entry.end()) return field_error(index, std::nullopt, "id", "missing");
  if (!it->is_number_unsigned()) {
    return field_error(
        index, std::nullopt, "id",
        absl::StrCat("expected a positive integer, got ", it->is_number() ? it->dump() : json_type(*it)));
  }
  const uint64_t id = it->get<uint64_t>();
  if (id == 0 || id > std::numeric_limits<uint32_t>::max()) {
    // Twin id 0 means "no twin / the relay" on the wire (§1.1).
    return field_error(index, std::nullopt, "id", absl::StrCat("must be 1..4294967295, got ", id));
  }
  return static_cast<uint32_t>(id);
}

absl::Status parse_entry(const json& entry, size_t index, Twin& twin) {
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("directory: ", entry_name(index, std::nullopt), ": expected an object, got ", json_type(entry)));
  }
  auto id = parse_id(entry, index);
  if (!id.ok()) return id.status();
  twin.id = *id;

  for (const auto& [key, value] : entry.items()) {
    if (key != "id" && key != "account" && key != "relays" && key != "pk") {
      return field_error(index, twin.id, key, "unknown field (expected id, account, relays, pk)");
    }
  }

  auto account = entry.find("account");
  if (account == entry.end()) return field_error(index, twin.id, "account", "missing");
  if (!account->is_string()) {
    return field_error(index, twin.id, "account", absl::StrCat("expected a string, got ", json_type(*account)));
  }
  auto parsed = parse_account(account->get_ref<const std::string&>());
  if (!parsed.ok()) return field_error(index, twin.id, "account", parsed.status().message());
  twin.account = *parsed;

  if (auto relays = entry.find("relays"); relays != entry.end() && !relays->is_null()) {
    if (!relays->is_array()) {
      return field_error(index, twin.id, "relays",
                         absl::StrCat("expected an array of strings, got ", json_type(*relays)));
    }
    for (size_t r = 0; r < relays->size(); ++r) {
      const json& relay = (*relays)[r];
      const std::string field = absl::StrCat("relays[", r, "]");
      if (!relay.is_string()) {
        return field_error(index, twin.id, field, absl::StrCat("expected a string, got ", json_type(relay)));
      }
      const auto& domain = relay.get_ref<const std::string&>();
      if (auto st = validate_relay_domain(domain); !st.ok()) {
        return field_error(index, twin.id, field, st.message());
      }
      twin.relays.insert(domain);  // a set, as on chain: duplicates collapse
    }
  }

  if (auto pk = entry.find("pk"); pk != entry.end() && !pk->is_null()) {
    if (!pk->is_string()) {
      return field_error(index, twin.id, "pk", absl::StrCat("expected a hex string or null, got ", json_type(*pk)));
    }
    auto bytes = from_hex(pk->get_ref<const std::string&>());
    if (!bytes.ok()) return field_error(index, twin.id, "pk", bytes.status().message());
    // The e2e key is a SEC1 secp256k1 point: 33 bytes compressed (what peers publish) or
    // 65 uncompressed (which the e2e code also parses).
    const bool compressed = bytes->size() == 33 && ((*bytes)[0] == 0x02 || (*bytes)[0] == 0x03);
    const bool uncompressed = bytes->size() == 65 && (*bytes)[0] == 0x04;
    if (!compressed && !uncompressed) {
      return field_error(index, twin.id, "pk",
                         absl::StrCat("expected a secp256k1 public key (33 bytes starting 02/03, "
                                      "or 65 bytes starting 04), got ",
                                      bytes->size(), " bytes"));
    }
    twin.pk = std::move(*bytes);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Twin>> parse_directory_json(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    // Mostly parse_error, but a number too large for a double ("1E777") is out_of_range
    // (found by fuzz_directory). what() is "[json.exception.parse_error.101] parse error
    // at line 1, column 4: ..."; the bracketed id means nothing to a user.
    std::string_view what = e.what();
    if (const size_t end = what.find("] "); what.starts_with("[json.") && end != what.npos) {
      what.remove_prefix(end + 2);
    }
    return absl::InvalidArgumentError(absl::StrCat("directory: not valid JSON: ", std::string(what)));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("directory: expected a JSON object {\"twins\": [...]}, got ", json_type(doc)));
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "twins" && key != "version") {
      return absl::InvalidArgumentError(
          absl::StrCat("directory: unknown top-level field \"", key, "\" (expected twins, version)"));
    }
  }
  if (auto version = doc.find("version"); version != doc.end()) {
    if (!version->is_number_unsigned() || version->get<uint64_t>() != kFormatVersion) {
      return absl::InvalidArgumentError(absl::StrCat("directory: unsupported format version ", version->dump(),
                                                     ", this build reads version ", kFormatVersion));
    }
  }
  auto twins_it = doc.find("twins");
  if (twins_it == doc.end()) {
    return absl::InvalidArgumentError("directory: missing top-level field \"twins\"");
  }
  if (!twins_it->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("directory: field \"twins\": expected an array, got ", json_type(*twins_it)));
  }

  std::vector<Twin> twins(twins_it->size());
  std::unordered_map<uint32_t, size_t> index_by_id;
  std::map<AccountId, size_t> index_by_account;
  for (size_t i = 0; i < twins.size(); ++i) {
    if (auto st = parse_entry((*twins_it)[i], i, twins[i]); !st.ok()) return st;
    const Twin& twin = twins[i];
    if (auto [it, fresh] = index_by_id.emplace(twin.id, i); !fresh) {
      return field_error(i, twin.id, "id", absl::StrCat("duplicate id, already used by twins[", it->second, "]"));
    }
    if (auto [it, fresh] = index_by_account.emplace(twin.account, i); !fresh) {
      return field_error(
          i, twin.id, "account",
          absl::StrCat("duplicate account, already used by ", entry_name(it->second, twins[it->second].id)));
    }
  }
  return twins;
}

std::string directory_to_json(const std::vector<Twin>& twins) {
  // ordered_json keeps "id" first, which reads better than alphabetical key order.
  using ojson = nlohmann::ordered_json;
  ojson list = ojson::array();
  for (const Twin& twin : twins) {
    ojson entry = ojson::object();
    entry["id"] = twin.id;
    entry["account"] = to_hex(twin.account);
    entry["relays"] = ojson::array();
    for (const auto& relay : twin.relays) entry["relays"].push_back(relay);
    entry["pk"] = twin.pk ? ojson(to_hex(*twin.pk)) : ojson(nullptr);
    list.push_back(std::move(entry));
  }
  ojson doc = ojson::object();
  doc["version"] = kFormatVersion;
  doc["twins"] = std::move(list);
  // Replace invalid UTF-8 rather than throw: relays that came through parse_directory_json
  // are ASCII, but a caller may have filled a Twin by hand.
  return doc.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace rmb::core
