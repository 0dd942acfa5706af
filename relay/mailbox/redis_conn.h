#pragma once
// The hiredis connection moved to core/redis/ (shared with the compat front door of
// rmb-peer); the relay keeps its names.
#include "core/redis/redis_conn.h"
#include "relay/mailbox/redis_url.h"

namespace rmb::relay {
using core::RedisConn;
using core::RedisReply;
using core::reply_status;
using core::ReplyDeleter;
}  // namespace rmb::relay
