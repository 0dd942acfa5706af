#pragma once
// Throw-away certificate authorities and server certificates made with the openssl CLI,
// for the TLS tests (relay links, tfchain client, federation, the TLS policy), and a
// stand-in for the system trust store.
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_rpc_node.h"

namespace rmb::test {

// `dir`/<name>.pem and `dir`/<name>.key: a CA certificate (P-256, 2 days) and its key.
// False when openssl failed.
bool make_ca(const std::string& dir, const std::string& name);

// `dir`/<name>.pem and `dir`/<name>.key: a server certificate signed by the CA made by
// make_ca(dir, ca), for `san` (an X.509 subjectAltName, "DNS:localhost").
bool make_server_cert(const std::string& dir, const std::string& name, const std::string& ca,
                      const std::string& san = "DNS:localhost");

// While it lives, OpenSSL's default verify paths (the "system trust store") are the one
// PEM file `ca_file` and an empty directory: SSL_CERT_FILE and SSL_CERT_DIR, read each time
// a context loads its default paths. Restores the previous values.
class FakeSystemTrustStore {
 public:
  FakeSystemTrustStore(const std::string& ca_file, const std::string& empty_dir);
  ~FakeSystemTrustStore();
  FakeSystemTrustStore(const FakeSystemTrustStore&) = delete;
  FakeSystemTrustStore& operator=(const FakeSystemTrustStore&) = delete;

 private:
  struct Saved {
    bool set = false;
    std::string value;
  };
  Saved file_, dir_;
};

// The world of the --ca-file tests: three CAs, "system-ca" (the stand-in system store's
// only CA), "extra-ca" (the one a test passes as the CA file) and "stranger-ca" (in
// neither), and a TLS JSON-RPC node presenting a certificate signed by each. Every
// certificate names localhost; the extra CA's names `extra_san`.
class CaFileWorld {
 public:
  // The error names the step that failed (openssl is run for each CA and certificate).
  static absl::StatusOr<std::unique_ptr<CaFileWorld>> make(const std::string& prefix,
                                                           const std::string& extra_san = "DNS:localhost");

  // <dir>/<name>: "extra-ca.pem", "system-ca.pem", "missing.pem", ...
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::string extra_ca() const { return file("extra-ca.pem"); }
  TlsRpcNode& by_system() { return *by_system_; }
  TlsRpcNode& by_extra() { return *by_extra_; }
  TlsRpcNode& by_stranger() { return *by_stranger_; }

 private:
  explicit CaFileWorld(const std::string& prefix) : dir_(prefix) {}

  TempDir dir_;
  std::unique_ptr<FakeSystemTrustStore> store_;
  std::unique_ptr<TlsRpcNode> by_system_, by_extra_, by_stranger_;
};

}  // namespace rmb::test
