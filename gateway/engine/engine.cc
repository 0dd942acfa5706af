#include "gateway/engine/engine.h"

#include "core/obs/log.h"
#include "gateway/engine/engine_impl.h"

namespace rmb::gateway {

Engine::Impl::Impl(boost::asio::io_context& io, Identity identity, core::TwinDirectory& directory, RelayLinks& links,
                   EngineOptions options)
    : io(io),
      identity(std::move(identity)),
      links(links),
      options(std::move(options)),
      stats(this->options.metrics),
      twins(directory),
      pending(this->options.max_pending, ResendPolicy{this->options.resend_after, this->options.resend_max}),
      seen_(this->options.dedupe_capacity, ExpiringSet::Full::kEvictOldest),
      in_flight_(this->options.max_incoming_in_flight, ExpiringSet::Full::kRefuse),
      replies_(this->options.reply_cache_entries, this->options.reply_cache_bytes),
      deadline_strand_(boost::asio::make_strand(io)),
      deadline_timer_(deadline_strand_),
      resend_strand_(boost::asio::make_strand(io)),
      resend_timer_(resend_strand_),
      finished_(this->options.dedupe_capacity, ExpiringSet::Full::kEvictOldest) {
  if (this->identity.e2e) keys.emplace(*this->identity.e2e);
}

std::string incoming_key(const core::AddressText& source, const std::string& uid) {
  return core::format_address(source.twin, source.connection) + "/" + uid;
}

Engine::Engine(boost::asio::io_context& io, Identity identity, core::TwinDirectory& directory, RelayLinks& links,
               EngineOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(identity), directory, links, std::move(options))) {}

Engine::~Engine() { impl_->stopped = true; }

void Engine::start() {
  impl_->stopped = false;
  // Frames hold the Impl only weakly: a link delivering after the Engine is gone drops them.
  std::weak_ptr<Impl> weak = impl_;
  impl_->links.start(
      [weak](std::string frame) {
        if (auto impl = weak.lock()) impl->on_frame(std::move(frame));
      },
      [weak](size_t link, bool up, bool any_up) {
        if (auto impl = weak.lock()) impl->on_link(link, up, any_up);
      });
  impl_->start_resends();
  impl_->start_grace();
  core::log(core::LogLevel::kInfo, "engine: ", "started as twin ", impl_->identity.twin,
            impl_->identity.e2e ? "" : " (no e2e key: cannot decrypt)");
}

void Engine::stop() {
  impl_->stopped = true;
  impl_->stop_resends();
  impl_->stop_deadline_timer();
  impl_->links.stop();
  impl_->expire_all();
  impl_->end_grace(/*offer=*/false);
}

const EngineStats& Engine::stats() const { return impl_->stats; }
const Identity& Engine::identity() const { return impl_->identity; }

absl::StatusOr<std::string> Engine::request(OutgoingRequest request, OutcomeHandler on_outcome, DoneHandler on_done) {
  return impl_->request(std::move(request), std::move(on_outcome), std::move(on_done));
}

void Engine::cancel(const std::string& uid) { impl_->cancel(uid); }

void Engine::reply(const std::string& uid, const core::AddressText& destination, ServiceReply reply) {
  impl_->reply(uid, destination, std::move(reply));
}

void Engine::add_service(const std::string& command, std::shared_ptr<RequestSink> sink) {
  impl_->services.add(command, std::move(sink));
  impl_->service_added(command);
}

void Engine::remove_service(const std::string& command, const RequestSink* sink) {
  impl_->services.remove(command, sink);
}

void Engine::set_fallback(std::shared_ptr<RequestSink> sink) { impl_->services.set_fallback(std::move(sink)); }

void Engine::set_orphan_reply_sink(std::shared_ptr<OrphanReplySink> sink) {
  std::lock_guard lock(impl_->orphan_mu);
  impl_->orphan_sink = std::move(sink);
}

}  // namespace rmb::gateway
