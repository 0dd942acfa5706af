#include "relay/mailbox/redis.h"

#include <sys/socket.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "relay/mailbox/redis_impl.h"

namespace rmb::relay {

namespace {
// Same delay between every attempt (--redis retry, §11), which the outage line states.
core::RedisBackoff fixed(std::chrono::milliseconds delay) { return {delay, delay}; }
}  // namespace

RedisMailbox::Impl::Impl(RedisMailboxOptions o, core::RedisUrl u)
    : opt(std::move(o)),
      url(std::move(u)),
      outages(absl::StrCat("redis mailbox: ", url.display()),
              absl::StrCat("retrying every ", opt.retry_delay.count(), " ms")),
      writer_link(url, "writer", opt.retry_delay, fixed(opt.retry_delay), outages),
      reader_link(url, "reader", opt.retry_delay, fixed(opt.retry_delay), outages,
                  [this](core::RedisConn& conn) { return reader_connected_hook(conn); }) {}

std::string RedisMailbox::stream_key(const SessionId& id) { return "stream:" + id.to_string(); }

absl::StatusOr<std::unique_ptr<RedisMailbox>> RedisMailbox::create(RedisMailboxOptions options) {
  auto url = core::parse_redis_url(options.url);
  if (!url.ok()) return url.status();
  auto impl = std::make_unique<Impl>(std::move(options), *url);
  Impl* raw = impl.get();
  raw->writer = std::thread([raw] { raw->writer_loop(); });
  raw->reader = std::thread([raw] { raw->reader_loop(); });
  return std::unique_ptr<RedisMailbox>(new RedisMailbox(std::move(impl)));
}

RedisMailbox::RedisMailbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RedisMailbox::~RedisMailbox() {
  {
    std::lock_guard lock(impl_->smu);
    impl_->reader_stopping = true;
    // A blocked XREAD returns at once when its socket is shut down.
    if (impl_->reader_fd >= 0) ::shutdown(impl_->reader_fd, SHUT_RDWR);
    impl_->rcv.notify_all();
  }
  impl_->reader.join();
  {
    std::lock_guard lock(impl_->wmu);
    impl_->stopping = true;
    impl_->wcv.notify_all();
  }
  impl_->writer.join();
}

void RedisMailbox::store(const SessionId& to, Frame frame, uint64_t /*expires_at*/, Done done) {
  // The expiry travels inside the envelope (rmb-rs layout has no room for another field).
  std::lock_guard lock(impl_->wmu);
  if (impl_->stores.size() >= impl_->opt.max_queued_stores ||
      impl_->store_bytes + frame->size() > impl_->opt.max_queued_bytes) {
    frame.reset();  // refused by the writer, in order with the rest ("queue is full")
  } else {
    impl_->store_bytes += frame->size();
  }
  impl_->stores.push_back({stream_key(to), std::move(frame), std::move(done)});
  impl_->wcv.notify_one();
}

void RedisMailbox::attach(const SessionId& id, std::shared_ptr<MailboxSink> sink) {
  std::lock_guard lock(impl_->smu);
  auto& s = impl_->sessions[id];
  s.sink = std::move(sink);
  s.last_id = "0-0";  // a new connection gets everything still queued, oldest first
  s.paused = false;
  s.gen = impl_->next_gen++;
  impl_->wake_reader_locked();
}

void RedisMailbox::detach(const SessionId& id, const MailboxSink* sink) {
  std::lock_guard lock(impl_->smu);
  auto it = impl_->sessions.find(id);
  if (it != impl_->sessions.end() && it->second.sink.get() == sink) impl_->sessions.erase(it);
}

void RedisMailbox::resume(const SessionId& id) {
  std::lock_guard lock(impl_->smu);
  auto it = impl_->sessions.find(id);
  if (it == impl_->sessions.end() || !it->second.paused) return;
  it->second.paused = false;
  impl_->wake_reader_locked();
}

uint64_t RedisMailbox::depth() const { return impl_->depth.load(std::memory_order_relaxed); }

bool RedisMailbox::connected() const { return impl_->writer_link.up() && impl_->reader_link.up(); }

}  // namespace rmb::relay
