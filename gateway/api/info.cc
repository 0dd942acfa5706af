#include "gateway/api/info.h"

#include "core/protocol/identity/ss58.h"
#include "core/util/bytes.h"

namespace rmb::gateway::api {

namespace v1 = rmb::api::v1;

namespace {
v1::RelayLink::State to_api(LinkStatus::State state) {
  switch (state) {
    case LinkStatus::State::kConnecting:
      return v1::RelayLink::CONNECTING;
    case LinkStatus::State::kConnected:
      return v1::RelayLink::CONNECTED;
    case LinkStatus::State::kBackoff:
      return v1::RelayLink::BACKOFF;
  }
  return v1::RelayLink::STATE_UNSPECIFIED;
}
}  // namespace

v1::InfoResponse make_info(const InfoFacts& facts, const std::vector<LinkStatus>& links) {
  v1::InfoResponse out;
  out.set_twin(facts.twin);
  out.set_key_type(std::string(core::key_type_name(facts.key_type)));
  out.set_account_hex(core::to_hex(facts.account));
  out.set_account_ss58(core::ss58_encode(facts.account));
  if (facts.e2e_public_key) {
    out.set_e2e_public_key(std::string(facts.e2e_public_key->begin(), facts.e2e_public_key->end()));
  }
  for (const auto& link : links) {
    auto* r = out.add_relays();
    r->set_url(link.url);
    r->set_state(to_api(link.state));
    r->set_connected_since(link.connected_since);
    r->set_reconnects(link.reconnects);
    r->set_last_error(link.last_error);
  }
  out.set_version(facts.version);
  return out;
}

}  // namespace rmb::gateway::api
