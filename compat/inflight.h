#pragma once
// What the front door keeps in Redis so that a request it popped is not lost when rmb-peer
// dies before every destination's answer was pushed (compat/README.md, "Surviving a
// restart"):
//   <local>.processing  list  requests moved there by the pop (BLMOVE) until recorded
//   <reply>.processing  list  responses moved there by the pop until handed to the gateway
//   msgbus.system.inflight  hash  field <uid> = the request as sent: shape (a) with the
//                                 stamped `now` and `exp`; field <uid>#<twin> = "1" once
//                                 that destination's answer was pushed to `ret`
//   msgbus.system.seen.<src>.<uid>  string  an incoming request pushed to msgbus.<cmd>:
//                                 "" until the app answered, then its response (c); it
//                                 expires with the request (+60 s)
// Keys get ".<instance>" appended (the seen keys: after "seen") when an instance name is
// set (several rmb-peers on one Redis database).
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rmb::compat {

struct StateKeys {
  std::string local_processing;
  std::string reply_processing;
  std::string inflight;
  std::string seen_prefix;  // + "<src>.<uid>"
};
StateKeys state_keys(const std::string& instance);

std::string answered_field(const std::string& uid, uint32_t twin);
// The seen key of incoming request `uid` from `src` ("<twin>" or "<twin>:<sid>").
std::string seen_key(const StateKeys& keys, const std::string& src, const std::string& uid);

struct InflightRecord {
  std::string uid;
  std::string request;          // shape (a), stamped
  std::set<uint32_t> answered;  // destinations whose answer was pushed
};
struct InflightState {
  std::vector<InflightRecord> records;
  std::vector<std::string> stray_fields;  // answered markers of no record: to delete
};
// The field/value pairs of HGETALL <inflight>.
InflightState parse_inflight(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace rmb::compat
