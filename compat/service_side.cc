#include "compat/front_door_state.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <variant>

#include "absl/strings/str_cat.h"
#include "compat/backlog.h"
#include "compat/errors.h"
#include "compat/inflight.h"
#include "compat/pop_loop.h"
#include "compat/pusher.h"
#include "compat/shapes.h"
#include "compat/translate.h"
#include "core/obs/log.h"
#include "core/protocol/envelope/address.h"
#include "core/protocol/envelope/ttl.h"
#include "core/redis/redis_url.h"
#include "core/util/clock.h"
#include "gateway/engine/uid.h"

namespace rmb::compat::front_door {

using namespace std::chrono_literals;

// Delivers an incoming request to msgbus.<cmd> once per (source, uid), also across
// restarts of this peer (whose gateway then no longer knows the uid when the caller sends
// it again). KEYS: the seen key, the list; ARGV: seen TTL, the (b) JSON, the list's last
// index. Returns nil when delivered now; "" when delivered before and not answered yet;
// else the app's response (c), to send again.
constexpr char kDeliverOnce[] = R"lua(
local seen = redis.call('GET', KEYS[1])
if seen then return seen end
redis.call('SET', KEYS[1], '', 'EX', ARGV[1])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, ARGV[3])
return false
)lua";

// A repeat may come a little after the request's own expiry (clock skew, a late resend).
constexpr int64_t kSeenSlack = 60;

bool State::deliver(const gateway::IncomingRequest& request) {
  IncomingRequestJson b = incoming_to_json(request);
  std::string list = absl::StrCat(kCommandPrefix, request.command);
  std::string json = to_json(b);
  int64_t left = static_cast<int64_t>(request.timestamp + request.expiration) - static_cast<int64_t>(core::unix_now());
  // Capped: a sender's clock far ahead must not make the key outlive any real request.
  int64_t ttl = std::clamp<int64_t>(left, 1, static_cast<int64_t>(core::kMaxTtl)) + kSeenSlack;
  Command eval{"EVAL", kDeliverOnce,        "2",  seen_key(keys, b.src, request.uid),
               list,   std::to_string(ttl), json, std::to_string(kListCap - 1)};
  // The pusher runs its handlers while this State exists (it is a member, stopped first).
  State* self = this;
  return pusher.query(std::move(eval), [self, list, json, uid = request.uid, src = b.src](const redisReply* r) {
    return self->after_delivery(list, json, uid, src, r);
  });
}

std::vector<Command> State::after_delivery(const std::string& list, const std::string& json, const std::string& uid,
                                           const std::string& src, const redisReply* r) {
  if (r == nullptr) {
    core::log_warn("compat: ",
                   absl::StrCat("request ", uid, " from ", src, " for '", list, "' is lost: redis unreachable"));
    return {};
  }
  if (r->type == REDIS_REPLY_ERROR) {
    // No scripting (e.g. a restricted managed Redis): delivered without the check.
    return push_list(list, json);
  }
  if (r->type != REDIS_REPLY_STRING) return {};  // delivered now
  if (r->len == 0) {
    core::log_debug("compat: ", absl::StrCat("repeated request ", uid, " from ", src, " is on '", list,
                                             "' already (delivered before a restart); not delivered again"));
    return {};
  }
  core::log_debug("compat: ", absl::StrCat("repeated request ", uid, " from ", src,
                                           " answered again with the response given before"));
  send_reply(std::string(r->str, r->len));
  return {};
}

std::optional<std::string> State::send_reply(const std::string& payload) {
  auto json = parse_response(payload);
  if (!json.ok()) {
    core::log_warn("compat: ",
                   absl::StrCat(kReplyQueue, ": dropped a malformed response (", json.status().message(), ")"));
    return std::nullopt;
  }
  auto reply = prepare_reply(*json);
  if (!reply.ok()) {
    core::log_warn("compat: ", absl::StrCat(kReplyQueue, ": dropped a response with an unusable 'dst' (",
                                            reply.status().message(), ")"));
    return std::nullopt;
  }
  if (reply->warning) core::log_warn("compat: ", absl::StrCat(kReplyQueue, ": ", *reply->warning));
  std::string seen =
      seen_key(keys, core::format_address(reply->destination.twin, reply->destination.connection), reply->uid);
  outbox.reply(reply->uid, reply->destination, std::move(reply->reply));
  return seen;
}

PopBatch State::on_replies(const std::vector<std::string>& payloads) {
  PopBatch batch;
  // Each response's SET before its LREM, no MULTI: a connection (or this process) lost
  // after the SET leaves the response on the processing list, handed over again at the next
  // start (the caller's gateway keeps the first of two) and stored again; never the LREM
  // without the stored answer.
  batch.atomic = false;
  for (const std::string& payload : payloads) {
    auto seen = send_reply(payload);
    if (seen) batch.writes.push_back(Command{"SET", *seen, payload, "XX", "KEEPTTL"});
    batch.writes.push_back(Command{"LREM", keys.reply_processing, "1", payload});
  }
  return batch;
}

bool State::on_reply_connected(core::RedisConn& conn) {
  auto left = read_list(conn, keys.reply_processing);
  if (!left) return false;
  std::vector<std::string> oldest_first(left->rbegin(), left->rend());
  for (size_t i = 0; i < oldest_first.size(); i += pop_batch) {
    auto end = oldest_first.begin() + static_cast<std::ptrdiff_t>(std::min(oldest_first.size(), i + pop_batch));
    if (!write_batch(conn, on_replies({oldest_first.begin() + static_cast<std::ptrdiff_t>(i), end}))) return false;
  }
  if (!left->empty())
    core::log_info("compat: ", absl::StrCat("took up ", left->size(), " responses popped but not sent before"));
  return true;
}

}  // namespace rmb::compat::front_door
