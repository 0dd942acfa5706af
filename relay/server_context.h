#pragma once
// What every connection of one server shares. Owned by Server; outlives all connections
// (the server stops its io_context before destroying it).
#include <boost/asio/io_context.hpp>

#include "core/directory/twin_directory.h"
#include "relay/config.h"
#include "relay/ip_limiter.h"
#include "relay/mailbox/mailbox.h"
#include "relay/metrics.h"
#include "relay/router.h"
#include "relay/session_registry.h"

namespace rmb::relay {

struct ServerContext {
  const Config& config;
  boost::asio::io_context& io;
  core::TwinDirectory& directory;
  SessionRegistry& sessions;
  Mailbox& mailbox;
  Router& router;
  Metrics& metrics;
  IpLimits& ip_limits;
};

}  // namespace rmb::relay
