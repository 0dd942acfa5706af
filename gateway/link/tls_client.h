#pragma once
// TLS for wss:// links: the system trust store plus an optional CA file, peer
// verification always on, SNI and host name (or IP) checks per connection.
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmb::gateway::link {

absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(const std::string& ca_file);

// Sets SNI (names only: RFC 6066 forbids IP literals) and the name or address the
// certificate must carry.
absl::Status prepare_tls_stream(SSL* ssl, const std::string& host);

// "TLS handshake failed: certificate verify failed (unable to get local issuer
// certificate)" rather than OpenSSL's bare reason.
std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace rmb::gateway::link
