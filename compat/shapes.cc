#include "compat/shapes.h"

#include <limits>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rmb::compat {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Reads typed keys from one JSON object, remembering the first problem. The messages name
// the key and the expected type, as serde's do.
class Reader {
 public:
  explicit Reader(const json& object) : object_(object) {}

  const std::string& error() const { return error_; }
  bool ok() const { return error_.empty(); }

  uint64_t u64(const char* key) {
    const json* v = required(key);
    if (v == nullptr) return 0;
    if (!v->is_number_unsigned()) return fail(key, "an unsigned integer"), 0;
    return v->get<uint64_t>();
  }
  std::string str(const char* key) {
    const json* v = required(key);
    if (v == nullptr) return {};
    if (!v->is_string()) return fail(key, "a string"), std::string();
    return v->get<std::string>();
  }
  std::optional<std::string> opt_str(const char* key) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return fail(key, "a string or null"), std::nullopt;
    return it->get<std::string>();
  }
  std::vector<uint32_t> twins(const char* key) {
    const json* v = required(key);
    std::vector<uint32_t> out;
    if (v == nullptr) return out;
    if (!v->is_array()) return fail(key, "an array of twin ids"), out;
    out.reserve(v->size());
    for (const json& e : *v) {
      if (!e.is_number_unsigned() || e.get<uint64_t>() > std::numeric_limits<uint32_t>::max()) {
        fail(key, "an array of twin ids (u32)");
        return {};
      }
      out.push_back(static_cast<uint32_t>(e.get<uint64_t>()));
    }
    return out;
  }
  std::optional<ErrorJson> opt_error(const char* key) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return std::nullopt;
    if (!it->is_object()) return fail(key, "an object {code, message} or null"), std::nullopt;
    Reader inner(*it);
    ErrorJson e;
    uint64_t code = inner.u64("code");
    e.message = inner.str("message");
    if (inner.ok() && code > std::numeric_limits<uint32_t>::max()) {
      return fail("err.code", "a u32"), std::nullopt;
    }
    if (!inner.ok()) {
      if (ok()) error_ = absl::StrCat("in '", key, "': ", inner.error());
      return std::nullopt;
    }
    e.code = static_cast<uint32_t>(code);
    return e;
  }

 private:
  const json* required(const char* key) {
    auto it = object_.find(key);
    if (it == object_.end()) {
      if (ok()) error_ = absl::StrCat("missing key '", key, "'");
      return nullptr;
    }
    return &*it;
  }
  void fail(const char* key, const char* expected) {
    if (ok()) error_ = absl::StrCat("key '", key, "' must be ", expected);
  }

  const json& object_;
  std::string error_;
};

// Parses one JSON object; the error says what is wrong with the text.
absl::StatusOr<json> parse_object(std::string_view text) {
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e400
    return absl::InvalidArgumentError(absl::StrCat("invalid JSON: ", e.what()));
  }
  if (!j.is_object()) return absl::InvalidArgumentError("not a JSON object");
  return j;
}

absl::Status invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

ordered_json opt(const std::optional<std::string>& v) { return v ? ordered_json(*v) : ordered_json(nullptr); }

ordered_json opt(const std::optional<ErrorJson>& e) {
  if (!e) return nullptr;
  ordered_json j;
  j["code"] = e->code;
  j["message"] = e->message;
  return j;
}

// Compact like serde_json::to_string. Invalid UTF-8 (a remote command or schema can carry
// anything) becomes U+FFFD instead of an exception.
std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace); }

}  // namespace

RequestParse parse_request(std::string_view text) {
  RequestParse out;
  auto j = parse_object(text);
  if (!j.ok()) {
    out.error.message = std::string(j.status().message());
    return out;
  }
  // What an error answer needs, read leniently before the strict pass.
  if (auto it = j->find("ret"); it != j->end() && it->is_string() && !it->get<std::string>().empty()) {
    out.error.ret = it->get<std::string>();
  }
  if (auto it = j->find("ref"); it != j->end() && it->is_string()) out.error.ref = it->get<std::string>();
  if (auto it = j->find("dst"); it != j->end() && it->is_array()) out.error.destinations = it->size();

  Reader r(*j);
  RequestJson v;
  v.ver = r.u64("ver");
  v.ref = r.opt_str("ref");
  v.cmd = r.str("cmd");
  v.exp = r.u64("exp");
  v.dat = r.str("dat");
  v.tag = r.opt_str("tag");
  v.dst = r.twins("dst");
  v.ret = r.str("ret");
  v.shm = r.opt_str("shm");
  v.now = r.u64("now");
  if (!r.ok()) {
    out.error.message = r.error();
    return out;
  }
  out.request = std::move(v);
  return out;
}

absl::StatusOr<IncomingRequestJson> parse_incoming_request(std::string_view text) {
  auto j = parse_object(text);
  if (!j.ok()) return j.status();
  Reader r(*j);
  IncomingRequestJson v;
  v.ver = r.u64("ver");
  v.ref = r.str("ref");
  v.src = r.str("src");
  v.cmd = r.str("cmd");
  v.exp = r.u64("exp");
  v.dat = r.str("dat");
  v.tag = r.opt_str("tag");
  v.ret = r.str("ret");
  v.shm = r.opt_str("shm");
  v.now = r.u64("now");
  if (!r.ok()) return invalid(r.error());
  return v;
}

absl::StatusOr<ResponseJson> parse_response(std::string_view text) {
  auto j = parse_object(text);
  if (!j.ok()) return j.status();
  Reader r(*j);
  ResponseJson v;
  v.ver = r.u64("ver");
  v.ref = r.opt_str("ref");
  v.dat = r.str("dat");
  v.dst = r.str("dst");
  v.shm = r.opt_str("shm");
  v.now = r.u64("now");
  v.err = r.opt_error("err");
  if (!r.ok()) return invalid(r.error());
  return v;
}

absl::StatusOr<IncomingResponseJson> parse_incoming_response(std::string_view text) {
  auto j = parse_object(text);
  if (!j.ok()) return j.status();
  Reader r(*j);
  IncomingResponseJson v;
  v.ver = r.u64("ver");
  v.ref = r.opt_str("ref");
  v.dat = r.str("dat");
  v.src = r.str("src");
  v.shm = r.opt_str("shm");
  v.now = r.u64("now");
  v.err = r.opt_error("err");
  if (!r.ok()) return invalid(r.error());
  return v;
}

std::string to_json(const RequestJson& v) {
  ordered_json j;
  j["ver"] = v.ver;
  j["ref"] = opt(v.ref);
  j["cmd"] = v.cmd;
  j["exp"] = v.exp;
  j["dat"] = v.dat;
  j["tag"] = opt(v.tag);
  j["dst"] = v.dst;
  j["ret"] = v.ret;
  j["shm"] = opt(v.shm);
  j["now"] = v.now;
  return dump(j);
}

std::string to_json(const IncomingRequestJson& v) {
  ordered_json j;
  j["ver"] = v.ver;
  j["ref"] = v.ref;
  j["src"] = v.src;
  j["cmd"] = v.cmd;
  j["exp"] = v.exp;
  j["dat"] = v.dat;
  j["tag"] = opt(v.tag);
  j["ret"] = v.ret;
  j["shm"] = opt(v.shm);
  j["now"] = v.now;
  return dump(j);
}

std::string to_json(const ResponseJson& v) {
  ordered_json j;
  j["ver"] = v.ver;
  j["ref"] = opt(v.ref);
  j["dat"] = v.dat;
  j["dst"] = v.dst;
  j["shm"] = opt(v.shm);
  j["now"] = v.now;
  j["err"] = opt(v.err);
  return dump(j);
}

std::string to_json(const IncomingResponseJson& v) {
  ordered_json j;
  j["ver"] = v.ver;
  j["ref"] = opt(v.ref);
  j["dat"] = v.dat;
  j["src"] = v.src;
  j["shm"] = opt(v.shm);
  j["now"] = v.now;
  j["err"] = opt(v.err);
  return dump(j);
}

}  // namespace rmb::compat
