#include "tools/chaos/services.h"

#include <nlohmann/json.hpp>

#include "core/util/bytes.h"
#include "rmb/api/v1/gateway.grpc.pb.h"

namespace rmb::tools::chaos {

std::shared_ptr<grpc::Channel> peer_channel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

EchoGrpcService::EchoGrpcService(uint32_t twin, std::string peer_address, Ledger& ledger)
    : twin_(twin), address_(std::move(peer_address)), ledger_(ledger), channel_(peer_channel(address_)) {}

EchoGrpcService::~EchoGrpcService() { stop(); }

void EchoGrpcService::start() {
  thread_ = std::thread([this] { run(); });
}

void EchoGrpcService::stop() {
  stop_ = true;
  {
    std::lock_guard lock(mutex_);
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void EchoGrpcService::run() {
  while (!stop_.load()) {
    serve_once();
    // The stream broke: its rmb-peer is gone. wait_for_ready makes the next Serve wait
    // for the restarted one; this pause only keeps a refusing peer from being spun on.
    if (!stop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void EchoGrpcService::serve_once() {
  auto stub = api::v1::Gateway::NewStub(channel_);
  grpc::ClientContext ctx;
  ctx.set_wait_for_ready(true);
  {
    std::lock_guard lock(mutex_);
    if (stop_.load()) return;
    current_ = &ctx;
  }
  auto stream = stub->Serve(&ctx);
  api::v1::ServeRequest first;
  first.mutable_register_()->add_commands(kGrpcCommand);
  if (stream->Write(first)) {
    api::v1::ServeResponse message;
    while (stream->Read(&message)) {
      if (message.has_registered()) {
        // A stream registers only with a live peer, and the kill of the old one is
        // recorded before its SIGKILL: the count now names the peer behind this stream.
        peer_run_ = ledger_.peer_run(twin_);
        ++registrations_;
        continue;
      }
      if (!message.has_request()) continue;
      const auto& request = message.request();
      uint64_t seq = 0;
      uint32_t attempt = 0;
      if (parse_payload(request.data(), &seq, &attempt)) {
        ledger_.delivered(seq, {twin_, attempt, request.uid(), Clock::now(), peer_run_});
      } else {
        ledger_.stray("twin " + std::to_string(twin_) + "'s gRPC service got a payload not ours: '" +
                      request.data().substr(0, 60) + "' uid " + request.uid());
      }
      api::v1::ServeRequest answer;
      answer.mutable_reply()->set_request_id(request.request_id());
      answer.mutable_reply()->set_data(request.data());
      if (!stream->Write(answer)) break;
    }
  }
  stream->WritesDone();
  (void)stream->Finish();
  std::lock_guard lock(mutex_);
  current_ = nullptr;
}

EchoRedisWorker::EchoRedisWorker(uint32_t twin, std::string redis_url, RedisGate& gate, Ledger& ledger)
    : twin_(twin), url_(std::move(redis_url)), gate_(gate), ledger_(ledger) {}

EchoRedisWorker::~EchoRedisWorker() { stop(); }

void EchoRedisWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void EchoRedisWorker::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void EchoRedisWorker::run() {
  AppRedis redis(url_, gate_, stop_);
  const std::string queue = std::string("msgbus.") + kRedisCommand;
  while (!stop_.load()) {
    auto popped = redis.run({"BRPOP", queue, "0.5"});
    if (!popped) return;
    const redisReply* r = popped->get();
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) continue;  // timeout (nil)
    const std::string text(r->element[1]->str, r->element[1]->len);
    std::string ref, src, dat, payload;
    try {
      const auto j = nlohmann::json::parse(text);
      ref = j.at("ref").get<std::string>();
      src = j.at("src").get<std::string>();
      dat = j.at("dat").get<std::string>();
      auto bytes = core::from_base64_std(dat);
      if (bytes.ok()) payload.assign(core::as_chars(*bytes));
    } catch (const nlohmann::json::exception& e) {
      ledger_.stray("twin " + std::to_string(twin_) + "'s Redis worker got bad JSON: " + text.substr(0, 100));
      continue;
    }
    uint64_t seq = 0;
    uint32_t attempt = 0;
    if (parse_payload(payload, &seq, &attempt)) {
      ledger_.delivered(seq, {twin_, attempt, ref, Clock::now(), ledger_.peer_run(twin_)});
    } else {
      ledger_.stray("twin " + std::to_string(twin_) + "'s Redis worker got a payload not ours: " + text.substr(0, 100));
    }
    const nlohmann::ordered_json reply = {{"ver", 1},       {"ref", ref}, {"dat", dat},    {"dst", src},
                                          {"shm", nullptr}, {"now", 0},   {"err", nullptr}};
    if (!redis.run({"LPUSH", "msgbus.system.reply", reply.dump()})) return;
  }
}

}  // namespace rmb::tools::chaos
