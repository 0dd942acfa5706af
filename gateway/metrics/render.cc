#include "gateway/metrics/render.h"

#include "absl/strings/str_cat.h"

namespace rmb::gateway::metrics {

std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void render_links(std::string& out, const std::vector<LinkStatus>& links) {
  absl::StrAppend(&out,
                  "# HELP rmb_peer_relay_link_up 1 when the link to the relay is connected.\n"
                  "# TYPE rmb_peer_relay_link_up gauge\n");
  for (const auto& l : links) {
    absl::StrAppend(&out, "rmb_peer_relay_link_up{url=\"", label_value(l.url), "\"} ",
                    l.state == LinkStatus::State::kConnected ? 1 : 0, "\n");
  }
  absl::StrAppend(&out,
                  "# HELP rmb_peer_relay_link_reconnects_total Connections made to the relay after the first.\n"
                  "# TYPE rmb_peer_relay_link_reconnects_total counter\n");
  for (const auto& l : links) {
    absl::StrAppend(&out, "rmb_peer_relay_link_reconnects_total{url=\"", label_value(l.url), "\"} ", l.reconnects,
                    "\n");
  }
  size_t up = 0;
  for (const auto& l : links) up += l.state == LinkStatus::State::kConnected ? 1 : 0;
  absl::StrAppend(&out,
                  "# HELP rmb_peer_relay_links_connected Relay links connected now.\n"
                  "# TYPE rmb_peer_relay_links_connected gauge\n"
                  "rmb_peer_relay_links_connected ",
                  up, "\n");
}

}  // namespace rmb::gateway::metrics
