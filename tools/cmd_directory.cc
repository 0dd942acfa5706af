// `rmb directory add|remove|list`: edit the JSON twin directory file
// (docs/directory-file.md) that rmb-peer and rmb-relay read with --directory.
#include <algorithm>
#include <charconv>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/directory/directory_file_io.h"
#include "core/directory/file_directory.h"
#include "core/directory/relay_domain.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/secret.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "tools/command.h"
#include "tools/secret_input.h"

namespace rmb::tools {
namespace {

void add_file_option(po::options_description& options) {
  options.add_options()("file,f", po::value<std::string>()->required()->value_name("F"), "the directory file (JSON)");
}

void add_id_option(po::options_description& options) {
  // A string, parsed here: program_options would read "-1" as 4294967295.
  options.add_options()("id", po::value<std::string>()->required()->value_name("N"), "twin id (1..4294967295)");
}

uint32_t twin_id(const Invocation& inv, const po::variables_map& vm) {
  const auto& text = vm["id"].as<std::string>();
  uint32_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || id == 0) {
    throw usage_error(inv, "--id must be a twin id 1..4294967295, got '" + text + "'");
  }
  return id;
}

// The file's twins; a missing file is an empty directory when `missing_ok`.
std::vector<core::Twin> load(const std::string& path, bool missing_ok) {
  auto twins = core::read_directory_file(path);
  if (twins.ok()) return *std::move(twins);
  if (missing_ok && twins.status().code() == absl::StatusCode::kNotFound) return {};
  if (twins.status().code() == absl::StatusCode::kNotFound) {
    throw failure(std::string(twins.status().message()), "create it with 'rmb directory add --file " + path + " ...'");
  }
  throw failure(std::string(twins.status().message()), "fix the file or restore a backup");
}

void save(const std::string& path, std::vector<core::Twin> twins) {
  std::sort(twins.begin(), twins.end(), [](const core::Twin& a, const core::Twin& b) { return a.id < b.id; });
  if (auto st = core::write_directory_file(path, twins); !st.ok()) {
    throw failure(std::string(st.message()));
  }
}

int directory_add(const Invocation& inv) {
  po::options_description options;
  add_file_option(options);
  add_id_option(options);
  add_secret_options(options);
  options.add_options()("key-type,k", po::value<std::string>()->value_name("T"),
                        "with --mnemonic: ed25519 or sr25519 (default sr25519, as rmb-peer)")(
      "account", po::value<std::string>()->value_name("A"),
      "instead of a mnemonic: the account as 64 hex digits or SS58")(
      "pk", po::value<std::string>()->value_name("HEX"), "with --account: the e2e public key (33 bytes hex)")(
      "relay", po::value<std::vector<std::string>>()->composing()->value_name("DOMAIN"),
      "relay domain (host or host:port); repeat for several");
  auto vm = parse_options(inv,
                          "Add a twin to the directory file, or replace the entry with the same id. The file is "
                          "created if missing and written atomically.",
                          "--file F --id N (--mnemonic M [--key-type T] | --mnemonic-file F | --account A [--pk HEX]) "
                          "[--relay DOMAIN]...",
                          options);
  if (!vm) return kExitOk;
  const std::string path = (*vm)["file"].as<std::string>();
  const uint32_t id = twin_id(inv, *vm);

  const bool has_secret = vm->count("mnemonic") || vm->count("mnemonic-file");
  const bool has_account = vm->count("account") > 0;
  if (has_secret == has_account) {
    throw usage_error(inv, "give exactly one of --mnemonic, --mnemonic-file or --account");
  }
  if (has_secret && vm->count("pk")) {
    throw usage_error(inv, "--pk goes with --account; with a mnemonic the e2e key is derived");
  }
  if (has_account && vm->count("key-type")) {
    throw usage_error(inv, "--key-type goes with --mnemonic; an --account is already a public key");
  }

  core::Twin twin;
  twin.id = id;
  if (has_secret) {
    core::KeyType type = core::KeyType::kSr25519;
    if (vm->count("key-type")) {
      auto parsed = core::parse_key_type((*vm)["key-type"].as<std::string>());
      if (!parsed.ok()) throw usage_error(inv, std::string(parsed.status().message()));
      type = *parsed;
    }
    const std::string secret = *secret_text(inv, *vm, /*allow_env=*/false);
    // A secret URI (//Alice, <words>//hard///password) gives the account; only a plain
    // mnemonic or seed gives an e2e key (§3.1), so a URI twin publishes no pk.
    auto signer = core::signer_from_uri(type, secret);
    if (!signer.ok()) {
      throw failure(std::string(signer.status().message()),
                    type == core::KeyType::kSr25519 ? "pass --key-type ed25519" : "");
    }
    twin.account = (*signer)->account();
    if (auto seed = core::parse_secret(secret); seed.ok()) {
      auto e2e = core::E2eKey::from_seed(*seed);
      if (!e2e.ok()) {
        throw failure("the secret is not a valid e2e (secp256k1) key: " + std::string(e2e.status().message()));
      }
      twin.pk = core::Bytes(e2e->public_key().begin(), e2e->public_key().end());
    } else {
      std::cerr << "note: a secret URI has no e2e key; twin " << id << " is listed without pk (peers send it plain)\n";
    }
  } else {
    auto account = core::parse_account((*vm)["account"].as<std::string>());
    if (!account.ok()) throw failure(std::string(account.status().message()));
    twin.account = *account;
    if (vm->count("pk")) {
      auto pk = core::from_hex((*vm)["pk"].as<std::string>());
      if (!pk.ok() || pk->size() != 33 || ((*pk)[0] != 0x02 && (*pk)[0] != 0x03)) {
        throw failure("--pk must be a compressed secp256k1 public key: 66 hex digits starting 02 or 03");
      }
      twin.pk = *pk;
    }
  }
  if (vm->count("relay")) {
    for (const auto& relay : (*vm)["relay"].as<std::vector<std::string>>()) {
      if (auto st = core::validate_relay_domain(relay); !st.ok()) {
        throw failure(std::string(st.message()));
      }
      twin.relays.insert(relay);
    }
  }

  std::vector<core::Twin> twins = load(path, /*missing_ok=*/true);
  for (const auto& other : twins) {
    if (other.id != id && other.account == twin.account) {
      throw failure(
          "account " + core::ss58_encode(twin.account) + " already belongs to twin " + std::to_string(other.id) +
              " in " + path,
          "remove it first with 'rmb directory remove --file " + path + " --id " + std::to_string(other.id) + "'");
    }
  }
  auto existing = std::find_if(twins.begin(), twins.end(), [&](const core::Twin& t) { return t.id == id; });
  const bool replaced = existing != twins.end();
  if (replaced) {
    *existing = twin;
  } else {
    twins.push_back(twin);
  }
  save(path, std::move(twins));
  print_out("twin " + std::to_string(id) + (replaced ? " updated in " : " added to ") + path + " (account " +
            core::ss58_encode(twin.account) + ")\n");
  return kExitOk;
}

int directory_remove(const Invocation& inv) {
  po::options_description options;
  add_file_option(options);
  add_id_option(options);
  auto vm = parse_options(inv, "Remove a twin from the directory file.", "--file F --id N", options);
  if (!vm) return kExitOk;
  const std::string path = (*vm)["file"].as<std::string>();
  const uint32_t id = twin_id(inv, *vm);
  std::vector<core::Twin> twins = load(path, /*missing_ok=*/false);
  const auto removed = std::erase_if(twins, [&](const core::Twin& t) { return t.id == id; });
  if (removed == 0) {
    throw failure("no twin " + std::to_string(id) + " in " + path, "see 'rmb directory list --file " + path + "'");
  }
  save(path, std::move(twins));
  print_out("twin " + std::to_string(id) + " removed from " + path + "\n");
  return kExitOk;
}

std::string short_hex(const core::Bytes& bytes) {
  const std::string hex = core::to_hex(bytes);
  return hex.size() <= 16 ? hex : hex.substr(0, 8) + "..." + hex.substr(hex.size() - 4);
}

int directory_list(const Invocation& inv) {
  po::options_description options;
  add_file_option(options);
  options.add_options()("json", "print the entries as JSON (the file format)");
  auto vm = parse_options(inv, "List the twins in the directory file.", "--file F [--json]", options);
  if (!vm) return kExitOk;
  const std::string path = (*vm)["file"].as<std::string>();
  const std::vector<core::Twin> twins = load(path, /*missing_ok=*/false);
  if (vm->count("json")) {
    print_out(core::directory_to_json(twins));
    return kExitOk;
  }
  struct Row {
    std::string id, account, relays, pk;
  };
  std::vector<Row> rows = {{"ID", "ACCOUNT (SS58)", "RELAYS", "E2E PK"}};
  for (const auto& t : twins) {
    std::string relays;
    for (const auto& r : t.relays) relays += (relays.empty() ? "" : ",") + r;
    rows.push_back({std::to_string(t.id), core::ss58_encode(t.account), relays.empty() ? "-" : relays,
                    t.pk ? short_hex(*t.pk) : "-"});
  }
  size_t w_id = 0, w_account = 0, w_relays = 0;
  for (const auto& r : rows) {
    w_id = std::max(w_id, r.id.size());
    w_account = std::max(w_account, r.account.size());
    w_relays = std::max(w_relays, r.relays.size());
  }
  std::string out;
  for (const auto& r : rows) {
    out += r.id + std::string(w_id - r.id.size() + 2, ' ') + r.account +
           std::string(w_account - r.account.size() + 2, ' ') + r.relays +
           std::string(w_relays - r.relays.size() + 2, ' ') + r.pk + "\n";
  }
  print_out(out);
  return kExitOk;
}

int directory(const Invocation& inv) {
  return dispatch(inv, "Edit the JSON twin directory file (see docs/directory-file.md).",
                  {{"add", "add or replace a twin", directory_add},
                   {"remove", "remove a twin", directory_remove},
                   {"list", "list the twins", directory_list}});
}

const RegisterCommand kRegister({"directory", "edit the JSON twin directory file", directory});

}  // namespace
}  // namespace rmb::tools
