#include "tools/secret_input.h"

#include <cstdlib>

#include "core/directory/directory_file_io.h"
#include "core/protocol/identity/secret.h"

namespace rmb::tools {

void add_secret_options(po::options_description& options) {
  options.add_options()("mnemonic,m", po::value<std::string>()->value_name("M"),
                        "BIP-39 mnemonic or 0x + 64 hex seed (visible to other users in ps; prefer "
                        "--mnemonic-file)")("mnemonic-file", po::value<std::string>()->value_name("F"),
                                            "read the mnemonic or hex seed from file F");
}

std::optional<std::string> secret_text(const Invocation& inv, const po::variables_map& vm, bool allow_env) {
  const bool inline_given = vm.count("mnemonic") > 0;
  const bool file_given = vm.count("mnemonic-file") > 0;
  if (inline_given && file_given) {
    throw usage_error(inv, "give either --mnemonic or --mnemonic-file, not both");
  }
  if (inline_given) return vm["mnemonic"].as<std::string>();
  if (file_given) {
    const auto& path = vm["mnemonic-file"].as<std::string>();
    auto text = core::read_text_file(path);
    if (!text.ok()) throw failure("cannot read --mnemonic-file: " + std::string(text.status().message()));
    return *text;
  }
  if (allow_env) {
    if (const char* env = std::getenv(kMnemonicEnv); env != nullptr && *env != '\0') return env;
  }
  return std::nullopt;
}

core::Seed seed_from_text(const std::string& text) {
  auto seed = core::parse_secret(text);
  if (!seed.ok()) {
    throw failure(std::string(seed.status().message()),
                  "a secret is 12-24 BIP-39 English words, or 0x followed by 64 hex digits");
  }
  return *seed;
}

}  // namespace rmb::tools
