// `rmb keys new|show`: make a fresh mnemonic; show the accounts and e2e key a secret (or a
// Substrate secret URI such as //Alice) gives.
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/mnemonic.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "tools/command.h"
#include "tools/secret_input.h"

namespace rmb::tools {
namespace {

int keys_new(const Invocation& inv) {
  po::options_description options;
  options.add_options()("words", po::value<int>()->default_value(12)->value_name("N"),
                        "number of words: 12, 15, 18, 21 or 24");
  auto vm = parse_options(inv, "Print a new random BIP-39 mnemonic on stdout.", "[--words N]", options);
  if (!vm) return kExitOk;
  const int words = (*vm)["words"].as<int>();
  auto phrase = core::generate_mnemonic(words);
  if (!phrase.ok()) throw usage_error(inv, std::string(phrase.status().message()));
  print_out(*phrase + "\n");
  std::cerr << "Keep this mnemonic secret: whoever has it can act as your twin. Pass it to "
               "programs with --mnemonic-file or RMB_MNEMONIC rather than on the command line.\n";
  return kExitOk;
}

struct KeyRow {
  std::string type;
  std::optional<core::AccountId> account;
  std::string error;  // when the key type is not available
};

int keys_show(const Invocation& inv) {
  po::options_description options;
  add_secret_options(options);
  options.add_options()("json", "print JSON instead of text");
  auto vm = parse_options(inv,
                          "Show the ed25519 and sr25519 accounts (hex and SS58) and the e2e public key that a "
                          "secret gives. The secret is a mnemonic, a 0x seed or a Substrate secret URI "
                          "(//Alice, <words>//hard/soft///password); it comes from --mnemonic, --mnemonic-file "
                          "or the RMB_MNEMONIC environment variable. A URI with a path or password has no e2e "
                          "key: rmb-peer accepts only a plain mnemonic or 0x seed.",
                          "[--mnemonic M | --mnemonic-file F] [--json]", options);
  if (!vm) return kExitOk;
  auto text = secret_text(inv, *vm, /*allow_env=*/true);
  if (!text) {
    throw usage_error(inv, std::string("no secret given: pass --mnemonic, --mnemonic-file or set ") + kMnemonicEnv);
  }

  std::vector<KeyRow> rows;
  // sr25519 accepts every well-formed URI, so its error is the secret's own error.
  for (auto type : {core::KeyType::kSr25519, core::KeyType::kEd25519}) {
    KeyRow row{std::string(core::key_type_name(type)), std::nullopt, ""};
    auto signer = core::signer_from_uri(type, *text);
    if (signer.ok()) {
      row.account = (*signer)->account();
    } else if (type == core::KeyType::kSr25519) {
      throw failure(std::string(signer.status().message()),
                    "a secret is 12-24 BIP-39 English words, 0x followed by 64 hex digits, or a "
                    "secret URI such as //Alice or <words>//hard/soft///password");
    } else {
      row.error = std::string(signer.status().message());
    }
    rows.push_back(std::move(row));
  }
  std::swap(rows[0], rows[1]);  // ed25519 first, as before

  // The e2e key takes no derivation path (§3.1); a URI with one simply has none.
  std::optional<std::string> e2e_pk;
  std::string e2e_error;
  auto seed = core::parse_secret(*text);
  if (seed.ok()) {
    auto e2e = core::E2eKey::from_seed(*seed);
    if (!e2e.ok()) {
      // rmb-peer refuses such a secret too (§3.1), so it is useless for RMB.
      throw failure("the secret is not a valid e2e (secp256k1) key: " + std::string(e2e.status().message()));
    }
    e2e_pk = core::to_hex(e2e->public_key());
  } else {
    e2e_error = "none: rmb-peer takes no derivation path or password for its e2e key";
  }

  if (vm->count("json")) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& row : rows) {
      if (row.account) {
        out[row.type] = {{"account", core::to_hex(*row.account)}, {"ss58", core::ss58_encode(*row.account)}};
      } else {
        out[row.type] = {{"error", row.error}};
      }
    }
    if (e2e_pk) {
      out["e2e_pk"] = *e2e_pk;
    } else {
      out["e2e_pk"] = nullptr;
      out["e2e_error"] = e2e_error;
    }
    print_out(out.dump(2) + "\n");
    return kExitOk;
  }
  std::string out;
  for (const auto& row : rows) {
    if (row.account) {
      out += row.type + " account  " + core::to_hex(*row.account) + "\n";
      out += row.type + " ss58     " + core::ss58_encode(*row.account) + "\n";
    } else {
      out += row.type + " account  (" + row.error + ")\n";
    }
  }
  out += "e2e pk           " + (e2e_pk ? *e2e_pk : "(" + e2e_error + ")") + "\n";
  print_out(out);
  return kExitOk;
}

int keys(const Invocation& inv) {
  return dispatch(inv, "Make and inspect twin secrets.",
                  {{"new", "print a new random mnemonic", keys_new},
                   {"show", "show the accounts and e2e key of a secret", keys_show}});
}

const RegisterCommand kRegister({"keys", "make and inspect twin secrets (mnemonics)", keys});

}  // namespace
}  // namespace rmb::tools
