#pragma once
// The Redis URL parser moved to core/redis/ (shared with the compat front door of rmb-peer);
// the relay keeps its names.
#include "core/redis/redis_url.h"

namespace rmb::relay {
using core::parse_redis_url;
using core::RedisUrl;
}  // namespace rmb::relay
