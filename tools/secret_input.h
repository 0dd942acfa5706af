#pragma once
// Where commands read the user's secret from: --mnemonic, --mnemonic-file or (where the
// command allows it) the RMB_MNEMONIC environment variable. A file or the environment
// keeps the secret out of `ps` and shell history.
#include <optional>
#include <string>

#include "core/protocol/identity/key_type.h"
#include "tools/command.h"

namespace rmb::tools {

inline constexpr char kMnemonicEnv[] = "RMB_MNEMONIC";

void add_secret_options(po::options_description& options);

// The secret text, or nullopt when none was given. Both flags at once is a usage error;
// an unreadable file a failure.
std::optional<std::string> secret_text(const Invocation& inv, const po::variables_map& vm, bool allow_env);

// parse_secret with CLI-flavoured errors (failure, exit 1).
core::Seed seed_from_text(const std::string& text);

}  // namespace rmb::tools
