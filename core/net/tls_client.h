#pragma once
// The one TLS client policy (wss:// relay links and tfchain nodes, https:// federation):
// the system trust store (OpenSSL's default verify paths, which SSL_CERT_FILE and
// SSL_CERT_DIR override) PLUS the CA file given with --ca-file / --federation-ca-file,
// never instead of it; TLS 1.2 at least; peer verification always on; per connection SNI
// and a check of the host name (or IP address) the certificate must carry.
#include <memory>
#include <string>

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmb::core {

// `extra_ca_file` empty: the system store alone. Fails when the system store or the file
// cannot be loaded.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(const std::string& extra_ca_file);

// Sets SNI (names only: RFC 6066 forbids IP literals) and the name or address the
// certificate must carry. Call on every new stream before its handshake.
absl::Status prepare_tls_stream(SSL* ssl, const std::string& host);

// "TLS handshake failed: certificate verify failed (unable to get local issuer
// certificate)" rather than OpenSSL's bare reason.
std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace rmb::core
