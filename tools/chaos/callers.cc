#include "tools/chaos/callers.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "core/protocol/errors.h"
#include "core/util/bytes.h"
#include "tools/chaos/services.h"

namespace rmb::tools::chaos {
namespace {

bool mentions_expiry(const std::string& text) { return text.find("expired") != std::string::npos; }

}  // namespace

AttemptResult judge_answer(const std::string& payload, const std::string& data, std::string uid) {
  AttemptResult out;
  out.uid = std::move(uid);
  if (data == payload) {
    out.result = Result::kOk;
  } else {
    out.result = Result::kWrong;
    out.detail = "answered '" + data.substr(0, 60) + "' (" + std::to_string(data.size()) + " bytes)";
  }
  return out;
}

GrpcCaller::GrpcCaller(uint32_t twin, std::string peer_address)
    : twin_(twin), channel_(peer_channel(peer_address)), stub_(api::v1::Gateway::NewStub(channel_)) {}

AttemptResult GrpcCaller::call(const Route& route, const std::string& payload, uint32_t expiration_s) {
  api::v1::CallRequest request;
  request.mutable_destination()->set_twin(route.service);
  request.set_command(command_for(route.kind));
  request.set_data(payload);
  request.set_ttl_seconds(expiration_s);
  grpc::ClientContext ctx;
  ctx.set_wait_for_ready(true);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(expiration_s));
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return {Result::kPending, "cancelled", "", false};
    active_.insert(&ctx);
  }
  api::v1::Reply reply;
  const grpc::Status status = stub_->Call(&ctx, request, &reply);
  {
    std::lock_guard lock(mutex_);
    active_.erase(&ctx);
  }
  if (status.ok()) return judge_answer(payload, reply.data(), reply.uid());

  AttemptResult out;
  std::optional<api::v1::RmbError> rmb;
  if (!status.error_details().empty()) {
    api::v1::RmbError e;
    if (e.ParseFromString(status.error_details())) rmb = e;
  }
  out.detail = "gRPC " + std::to_string(static_cast<int>(status.error_code())) + ": " + status.error_message();
  if (rmb) {
    out.detail += " (RMB " + std::to_string(rmb->code()) + " from " +
                  (rmb->has_source() ? "twin " + std::to_string(rmb->source().twin()) : std::string("rmb-peer")) + ")";
  }
  const auto code = status.error_code();
  if (code == grpc::StatusCode::DEADLINE_EXCEEDED || (rmb && rmb->code() == core::rmb_error::kExpired)) {
    out.result = Result::kLost;
  } else {
    out.result = Result::kError;
    out.transport_failure = !rmb && (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::CANCELLED ||
                                     code == grpc::StatusCode::UNKNOWN || code == grpc::StatusCode::INTERNAL);
  }
  (void)twin_;
  return out;
}

void GrpcCaller::cancel_all() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (auto* ctx : active_) ctx->TryCancel();
}

RedisCaller::RedisCaller(uint32_t twin, std::string redis_url, RedisGate& gate, Ledger& ledger)
    : twin_(twin), url_(std::move(redis_url)), gate_(gate), ledger_(ledger) {}

RedisCaller::~RedisCaller() { stop(); }

void RedisCaller::start() {
  reader_ = std::thread([this] { read_outcomes(); });
}

void RedisCaller::stop() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
}

std::unique_ptr<AppRedis> RedisCaller::push_connection(const std::atomic<bool>& stop) {
  return std::make_unique<AppRedis>(url_, gate_, stop);
}

void RedisCaller::read_outcomes() {
  AppRedis redis(url_, gate_, stop_);
  while (!stop_.load()) {
    auto popped = redis.run({"BRPOP", kRetList, "0.5"});
    if (!popped) return;
    const redisReply* r = popped->get();
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) continue;
    const std::string text(r->element[1]->str, r->element[1]->len);
    Outcome outcome;
    std::string ref;
    try {
      const auto j = nlohmann::json::parse(text);
      if (j.at("ref").is_string()) ref = j.at("ref").get<std::string>();
      outcome.src = j.at("src").get<std::string>();
      const auto& err = j.at("err");
      if (!err.is_null()) {
        outcome.is_error = true;
        outcome.error = "RMB " + std::to_string(err.at("code").get<uint32_t>()) + " from '" + outcome.src +
                        "': " + err.at("message").get<std::string>();
      } else {
        auto bytes = core::from_base64_std(j.at("dat").get<std::string>());
        if (bytes.ok()) {
          outcome.data.assign(core::as_chars(*bytes));
        } else {
          outcome.data = "<not base64: " + j.at("dat").get<std::string>().substr(0, 40) + ">";
        }
      }
    } catch (const nlohmann::json::exception&) {
      ledger_.stray("twin " + std::to_string(twin_) + "'s ret list got bad JSON: " + text.substr(0, 100));
      continue;
    }
    unsigned long long seq = 0;
    unsigned attempt = 0;
    int used = 0;
    if (std::sscanf(ref.c_str(), "%llu.%u%n", &seq, &attempt, &used) != 2 || static_cast<size_t>(used) != ref.size()) {
      ledger_.stray("twin " + std::to_string(twin_) + "'s ret list got an outcome with ref '" + ref +
                    "': " + text.substr(0, 100));
      continue;
    }
    if (ledger_.outcome_arrived(seq, attempt) != 1) continue;  // a duplicate (counted) or a stray
    std::lock_guard lock(mutex_);
    auto it = waiters_.find(ref);
    if (it == waiters_.end()) continue;  // its caller gave up waiting: already counted lost
    {
      std::lock_guard wl(it->second->mutex);
      it->second->outcome = std::move(outcome);
    }
    it->second->cv.notify_all();
  }
}

AttemptResult RedisCaller::call(AppRedis& push, uint64_t seq, uint32_t attempt, const Route& route,
                                const std::string& payload, uint32_t expiration_s, uint32_t grace_s,
                                const std::atomic<bool>& abort) {
  const std::string ref = std::to_string(seq) + "." + std::to_string(attempt);
  Waiter waiter;
  {
    std::lock_guard lock(mutex_);
    waiters_[ref] = &waiter;
  }
  const nlohmann::ordered_json request = {{"ver", 1},
                                          {"ref", ref},
                                          {"cmd", command_for(route.kind)},
                                          {"exp", expiration_s},
                                          {"dat", core::base64_std(core::as_bytes(payload))},
                                          {"tag", nullptr},
                                          {"dst", {route.service}},
                                          {"ret", kRetList},
                                          {"shm", nullptr},
                                          {"now", static_cast<uint64_t>(std::time(nullptr))}};
  AttemptResult out;
  if (!push.run({"LPUSH", "msgbus.system.local", request.dump()})) {
    out.detail = "stopped before the request was pushed";
  } else {
    const auto deadline = Clock::now() + std::chrono::seconds(expiration_s + grace_s);
    std::unique_lock lock(waiter.mutex);
    while (!waiter.outcome && Clock::now() < deadline && !abort.load()) {
      waiter.cv.wait_for(lock, std::chrono::milliseconds(200));
    }
    if (waiter.outcome) {
      const Outcome& o = *waiter.outcome;
      if (!o.is_error) {
        out = judge_answer(payload, o.data, "");
      } else {
        out.result = mentions_expiry(o.error) ? Result::kLost : Result::kError;
        out.detail = o.error;
      }
    } else if (!abort.load()) {
      out.result = Result::kLost;
      out.detail =
          "no outcome on " + std::string(kRetList) + " within " + std::to_string(expiration_s + grace_s) + " s";
    }
  }
  std::lock_guard lock(mutex_);
  waiters_.erase(ref);
  return out;
}

}  // namespace rmb::tools::chaos
