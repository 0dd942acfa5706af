#include "compat/backlog.h"

#include "absl/status/status.h"
#include "core/protocol/envelope/ttl.h"
#include "rmb/peer.pb.h"

namespace rmb::compat {

uint64_t backlog_ttl(int64_t ttl) { return core::clamp_ttl(ttl < 0 ? 0 : static_cast<uint64_t>(ttl)); }

std::string encode_backlog(const std::string& uid, const std::optional<std::string>& reference,
                           const std::string& reply_to, uint64_t ttl) {
  rmb::Backlog b;
  b.set_uid(uid);
  if (reference) b.set_reference(*reference);
  b.set_reply_to(reply_to);
  b.set_ttl(ttl);
  return b.SerializeAsString();
}

absl::StatusOr<BacklogEntry> decode_backlog(std::string_view bytes) {
  rmb::Backlog b;
  if (!b.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("not an rmb.Backlog protobuf");
  }
  if (b.reply_to().empty()) return absl::InvalidArgumentError("the backlog names no reply_to list");
  BacklogEntry e;
  e.uid = b.uid();
  if (b.has_reference()) e.reference = b.reference();
  e.reply_to = b.reply_to();
  e.module = b.module();
  e.ttl = b.ttl();
  return e;
}

}  // namespace rmb::compat
