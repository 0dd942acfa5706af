#include "core/net/tls_client.h"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/str_cat.h"

namespace rmb::core {

namespace ssl = boost::asio::ssl;

absl::StatusOr<std::shared_ptr<ssl::context>> make_tls_client_context(const std::string& extra_ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot load the system trust store: ", ec.message()));
  // Added to the system store: --ca-file means "extra CAs" for every user.
  if (!extra_ca_file.empty()) {
    ctx->load_verify_file(extra_ca_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat("cannot load CA file '", extra_ca_file, "': ", ec.message()));
    }
  }
  return ctx;
}

absl::Status prepare_tls_stream(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool is_address = !ec;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  // Partial wildcards ("w*.example") are not accepted, as browsers do.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (is_address) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("cannot verify against address ", host));
    }
    return absl::OkStatus();
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("cannot set SNI for ", host));
  }
  if (SSL_set1_host(ssl, host.c_str()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("cannot verify against host ", host));
  }
  return absl::OkStatus();
}

std::string describe_tls_failure(SSL* ssl, const boost::system::error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return absl::StrCat("TLS handshake failed: certificate verify failed (", X509_verify_cert_error_string(verify),
                        ")");
  }
  return absl::StrCat("TLS handshake failed: ", ec.message());
}

}  // namespace rmb::core
