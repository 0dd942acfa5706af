#include "tests/support/test_ca.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace rmb::test {
namespace {

const char kKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

bool run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

void save(const char* name, bool& set, std::string& value) {
  const char* current = std::getenv(name);
  set = current != nullptr;
  if (set) value = current;
}

void restore(const char* name, bool set, const std::string& value) {
  if (set) {
    ::setenv(name, value.c_str(), 1);
  } else {
    ::unsetenv(name);
  }
}

}  // namespace

bool make_ca(const std::string& dir, const std::string& name) {
  const std::string base = dir + "/" + name;
  return run("openssl req -x509 " + std::string(kKey) + " -days 2 -subj /CN=" + name + " -keyout " + base +
             ".key -out " + base + ".pem -addext basicConstraints=critical,CA:TRUE" +
             " -addext keyUsage=critical,keyCertSign,cRLSign");
}

bool make_server_cert(const std::string& dir, const std::string& name, const std::string& ca, const std::string& san) {
  const std::string base = dir + "/" + name;
  const std::string ca_base = dir + "/" + ca;
  if (!run("openssl req " + std::string(kKey) + " -subj /CN=" + name + " -keyout " + base + ".key -out " + base +
           ".csr")) {
    return false;
  }
  std::ofstream(base + ".ext") << "subjectAltName=" << san << "\n";
  return run("openssl x509 -req -in " + base + ".csr -CA " + ca_base + ".pem -CAkey " + ca_base +
             ".key -CAcreateserial -days 2 -out " + base + ".pem -extfile " + base + ".ext");
}

FakeSystemTrustStore::FakeSystemTrustStore(const std::string& ca_file, const std::string& empty_dir) {
  save("SSL_CERT_FILE", file_.set, file_.value);
  save("SSL_CERT_DIR", dir_.set, dir_.value);
  ::setenv("SSL_CERT_FILE", ca_file.c_str(), 1);
  ::setenv("SSL_CERT_DIR", empty_dir.c_str(), 1);
}

FakeSystemTrustStore::~FakeSystemTrustStore() {
  restore("SSL_CERT_FILE", file_.set, file_.value);
  restore("SSL_CERT_DIR", dir_.set, dir_.value);
}

absl::StatusOr<std::unique_ptr<CaFileWorld>> CaFileWorld::make(const std::string& prefix,
                                                               const std::string& extra_san) {
  std::unique_ptr<CaFileWorld> world(new CaFileWorld(prefix));
  const std::string d = world->dir_.path().string();
  for (const char* ca : {"system-ca", "extra-ca", "stranger-ca"}) {
    if (!make_ca(d, ca)) return absl::InternalError(std::string("openssl could not make CA ") + ca);
  }
  const struct {
    const char* name;
    const char* ca;
    std::string san;
  } certs[] = {{"by-system", "system-ca", "DNS:localhost"},
               {"by-extra", "extra-ca", extra_san},
               {"by-stranger", "stranger-ca", "DNS:localhost"}};
  for (const auto& c : certs) {
    if (!make_server_cert(d, c.name, c.ca, c.san)) {
      return absl::InternalError(std::string("openssl could not make certificate ") + c.name);
    }
  }
  std::filesystem::create_directory(world->file("empty"));
  world->store_ = std::make_unique<FakeSystemTrustStore>(world->file("system-ca.pem"), world->file("empty"));
  auto node = [&](const std::string& name) {
    return std::make_unique<TlsRpcNode>(world->file(name + ".pem"), world->file(name + ".key"));
  };
  world->by_system_ = node("by-system");
  world->by_extra_ = node("by-extra");
  world->by_stranger_ = node("by-stranger");
  return world;
}

}  // namespace rmb::test
