#pragma once
// Throw-away certificate authorities and server certificates made with the openssl CLI,
// for the TLS tests (relay links, tfchain client, federation, the TLS policy), and a
// stand-in for the system trust store.
#include <string>

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

}  // namespace rmb::test
