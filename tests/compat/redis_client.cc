#include "tests/compat/redis_client.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

#include "core/redis/redis_url.h"

namespace rmb::test {
namespace {

core::RedisReply run(core::RedisConn& conn, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  auto r = conn.command(views);
  if (!r.ok()) {
    ADD_FAILURE() << args[0] << ": " << r.status();
    return nullptr;
  }
  if ((*r)->type == REDIS_REPLY_ERROR) ADD_FAILURE() << args[0] << ": " << (*r)->str;
  return std::move(*r);
}

}  // namespace

std::unique_ptr<RedisClient> RedisClient::connect(const std::string& url) {
  auto u = core::parse_redis_url(url);
  if (!u.ok()) {
    ADD_FAILURE() << u.status();
    return nullptr;
  }
  auto c = core::RedisConn::connect(*u, std::chrono::seconds(5));
  if (!c.ok()) {
    ADD_FAILURE() << c.status();
    return nullptr;
  }
  auto client = std::make_unique<RedisClient>();
  client->conn_ = std::move(*c);
  client->conn_->set_timeout(std::chrono::seconds(40));
  return client;
}

void RedisClient::lpush(const std::string& list, const std::string& value) { run(*conn_, {"LPUSH", list, value}); }
void RedisClient::rpush(const std::string& list, const std::string& value) { run(*conn_, {"RPUSH", list, value}); }

std::optional<std::string> RedisClient::brpop(const std::string& list, std::chrono::seconds timeout) {
  auto r = run(*conn_, {"BRPOP", list, std::to_string(timeout.count())});
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY || r->elements != 2) return std::nullopt;
  return std::string(r->element[1]->str, r->element[1]->len);
}

std::optional<std::string> RedisClient::get(const std::string& key) {
  auto r = run(*conn_, {"GET", key});
  if (r == nullptr || r->type != REDIS_REPLY_STRING) return std::nullopt;
  return std::string(r->str, r->len);
}

long long RedisClient::integer(const std::vector<std::string>& args) {
  auto r = run(*conn_, args);
  if (r == nullptr || r->type != REDIS_REPLY_INTEGER) return -1000;
  return r->integer;
}

std::vector<std::string> RedisClient::lrange(const std::string& list) {
  auto r = run(*conn_, {"LRANGE", list, "0", "-1"});
  std::vector<std::string> out;
  if (r == nullptr || r->type != REDIS_REPLY_ARRAY) return out;
  for (size_t i = 0; i < r->elements; ++i) out.emplace_back(r->element[i]->str, r->element[i]->len);
  return out;
}

std::optional<std::string> RedisClient::text(const std::vector<std::string>& args) {
  auto r = run(*conn_, args);
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return std::nullopt;
  return std::string(r->str, r->len);
}

long long RedisClient::server_pid() {
  auto info = text({"INFO", "server"});
  if (!info) return -1;
  auto at = info->find("process_id:");
  if (at == std::string::npos) return -1;
  return std::atoll(info->c_str() + at + std::string_view("process_id:").size());
}

}  // namespace rmb::test
