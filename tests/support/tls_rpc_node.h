#pragma once
// A JSON-RPC node behind wss:// on 127.0.0.1 for the TLS tests of WebSocket clients: it
// presents the given certificate and answers every request {"id": N, ...} with
// {"jsonrpc": "2.0", "id": N, "result": "ok"}. Runs its own io_context thread.
#include <cstdint>
#include <memory>
#include <string>

namespace rmb::test {

class TlsRpcNode {
 public:
  TlsRpcNode(const std::string& cert_file, const std::string& key_file);
  ~TlsRpcNode();
  TlsRpcNode(const TlsRpcNode&) = delete;
  TlsRpcNode& operator=(const TlsRpcNode&) = delete;

  uint16_t port() const;
  // wss://<host>:<port>/
  std::string url(const std::string& host = "localhost") const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rmb::test
