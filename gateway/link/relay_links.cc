#include "gateway/link/relay_links.h"

#include "absl/strings/str_cat.h"
#include "core/net/tls_client.h"
#include "core/net/url.h"
#include "gateway/link/dispatcher.h"

namespace rmb::gateway {
namespace {

// The owner's handle: the dispatcher and links are shared with their pending handlers,
// and dropping the handle stops them.
class RelayLinksImpl final : public RelayLinks {
 public:
  explicit RelayLinksImpl(std::shared_ptr<link::Dispatcher> dispatcher) : dispatcher_(std::move(dispatcher)) {}
  ~RelayLinksImpl() override { dispatcher_->stop(); }

  void start(FrameHandler on_frame, LinkEventHandler on_link) override {
    dispatcher_->start(std::move(on_frame), std::move(on_link));
  }
  void stop() override { dispatcher_->stop(); }
  void send(std::shared_ptr<const std::string> frame, Clock::time_point deadline, SendDone done) override {
    dispatcher_->send(std::move(frame), deadline, std::move(done));
  }
  std::vector<LinkStatus> status() const override { return dispatcher_->status(); }
  bool any_connected() const override { return dispatcher_->any_connected(); }

 private:
  std::shared_ptr<link::Dispatcher> dispatcher_;
};

}  // namespace

std::unique_ptr<RelayLinks> make_relay_links(boost::asio::io_context& io, LinkOptions options) {
  auto dispatcher = std::make_shared<link::Dispatcher>(io, std::move(options));
  dispatcher->create_links();
  return std::make_unique<RelayLinksImpl>(std::move(dispatcher));
}

absl::Status check_link_options(const LinkOptions& options) {
  if (options.urls.empty()) return absl::InvalidArgumentError("no relay URL given");
  if (options.signer == nullptr) return absl::InvalidArgumentError("relay links need a signer");
  bool any_tls = false;
  for (const auto& text : options.urls) {
    auto url = core::parse_ws_url(text, "relay URL");
    if (!url.ok()) return url.status();
    any_tls |= url->tls;
  }
  if (options.backoff_min > options.backoff_max) {
    return absl::InvalidArgumentError("relay link backoff_min is larger than backoff_max");
  }
  if (any_tls) {
    if (auto tls = core::make_tls_client_context(options.ca_file); !tls.ok()) return tls.status();
  }
  return absl::OkStatus();
}

}  // namespace rmb::gateway
