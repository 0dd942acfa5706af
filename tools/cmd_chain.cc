// `rmb chain twin|update`: read a twin from tfchain, publish a twin's relays and e2e key
// (docs/tfchain.md). Uses the same backend as rmb-relay --substrate.
#include <charconv>
#include <future>

#include "core/directory/file_directory.h"
#include "core/directory/substrate/substrate_directory.h"
#include "core/directory/substrate/update_twin.h"
#include "core/protocol/e2e/e2e_key.h"
#include "core/protocol/identity/signer.h"
#include "core/protocol/identity/ss58.h"
#include "tools/command.h"
#include "tools/secret_input.h"

namespace rmb::tools {
namespace {

constexpr char kDefaultSubstrate[] = "wss://tfchain.grid.tf:443";

void add_substrate_option(po::options_description& options) {
  options.add_options()("substrate,s", po::value<std::vector<std::string>>()->composing()->value_name("URL"),
                        "tfchain node (ws:// or wss://); repeat to rotate over several (default "
                        "wss://tfchain.grid.tf:443)")(
      "timeout", po::value<unsigned>()->default_value(60)->value_name("S"), "give up after S seconds");
}

core::SubstrateDirectoryOptions substrate_options(const po::variables_map& vm) {
  core::SubstrateDirectoryOptions o;
  o.rpc.urls = vm.count("substrate") ? vm["substrate"].as<std::vector<std::string>>()
                                     : std::vector<std::string>{kDefaultSubstrate};
  o.rpc.call_timeout = std::chrono::seconds(vm["timeout"].as<unsigned>());
  return o;
}

std::unique_ptr<core::SubstrateDirectory> open_chain(const Invocation& inv, const po::variables_map& vm) {
  auto dir = core::SubstrateDirectory::open(substrate_options(vm));
  if (!dir.ok()) throw usage_error(inv, std::string(dir.status().message()));
  return *std::move(dir);
}

template <class T>
T wait(std::future<T>& f) {
  f.wait();
  return f.get();
}

std::optional<core::Twin> read_twin(core::SubstrateDirectory& dir, uint32_t id) {
  std::promise<absl::StatusOr<std::optional<core::Twin>>> p;
  auto f = p.get_future();
  dir.get_twin(id, [&p](auto r) { p.set_value(std::move(r)); });
  auto r = wait(f);
  if (!r.ok()) throw failure(std::string(r.status().message()), "check --substrate");
  return *r;
}

int chain_twin(const Invocation& inv) {
  po::options_description options;
  add_substrate_option(options);
  options.add_options()("id", po::value<std::string>()->required()->value_name("N"), "twin id (1..4294967295)");
  auto vm = parse_options(inv,
                          "Read a twin from tfchain (TfgridModule.Twins) and print it as a directory-file "
                          "entry (JSON).",
                          "[--substrate URL]... --id N", options);
  if (!vm) return kExitOk;
  const auto& text = (*vm)["id"].as<std::string>();
  uint32_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || id == 0) {
    throw usage_error(inv, "--id must be a twin id 1..4294967295, got '" + text + "'");
  }
  auto dir = open_chain(inv, *vm);
  auto twin = read_twin(*dir, id);
  if (!twin) throw failure("no twin " + std::to_string(id) + " on this chain");
  print_out(core::directory_to_json({*twin}));
  return kExitOk;
}

int chain_update(const Invocation& inv) {
  po::options_description options;
  add_substrate_option(options);
  add_secret_options(options);
  options.add_options()("key-type,k", po::value<std::string>()->value_name("T"),
                        "ed25519 or sr25519 (default sr25519, as rmb-peer)")(
      "relay", po::value<std::vector<std::string>>()->composing()->required()->value_name("DOMAIN"),
      "relay domain to publish (no port); repeat for several");
  auto vm = parse_options(inv,
                          "Publish the twin's relays and e2e public key on tfchain (TfgridModule.update_twin, "
                          "as rmb-peer does at start), signed with the twin's key. Does nothing when the chain "
                          "already shows them.",
                          "[--substrate URL]... (--mnemonic M | --mnemonic-file F) [--key-type T] "
                          "--relay DOMAIN...",
                          options);
  if (!vm) return kExitOk;
  core::KeyType type = core::KeyType::kSr25519;
  if (vm->count("key-type")) {
    auto parsed = core::parse_key_type((*vm)["key-type"].as<std::string>());
    if (!parsed.ok()) throw usage_error(inv, std::string(parsed.status().message()));
    type = *parsed;
  }
  auto secret = secret_text(inv, *vm, /*allow_env=*/true);
  if (!secret) throw usage_error(inv, "give --mnemonic, --mnemonic-file or RMB_MNEMONIC");
  const core::Seed seed = seed_from_text(*secret);
  auto signer = core::make_signer(type, seed);
  if (!signer.ok()) {
    throw failure(std::string(signer.status().message()),
                  type == core::KeyType::kSr25519 ? "pass --key-type ed25519" : "");
  }
  auto e2e = core::E2eKey::from_seed(seed);
  if (!e2e.ok()) throw failure("the secret is not a valid e2e (secp256k1) key: " + std::string(e2e.status().message()));
  const core::Bytes pk(e2e->public_key().begin(), e2e->public_key().end());
  std::set<std::string> relays;
  for (const auto& r : (*vm)["relay"].as<std::vector<std::string>>()) relays.insert(r);
  if (auto st = core::validate_chain_update(relays, pk); !st.ok()) throw failure(std::string(st.message()));

  std::shared_ptr<const core::Signer> shared_signer = *std::move(signer);
  const std::string who = core::ss58_encode(shared_signer->account());
  auto dir = open_chain(inv, *vm);
  std::promise<absl::StatusOr<std::optional<uint32_t>>> id_promise;
  auto id_future = id_promise.get_future();
  dir->get_twin_id(shared_signer->account(), [&](auto r) { id_promise.set_value(std::move(r)); });
  auto id = wait(id_future);
  if (!id.ok()) throw failure(std::string(id.status().message()), "check --substrate");
  if (!*id) {
    throw failure("no twin found on this network with given key (" + std::string(core::key_type_name(type)) +
                      " account " + who + ")",
                  "check --key-type; twins are created with the ThreeFold dashboard");
  }
  auto twin = read_twin(*dir, **id);
  if (twin && !core::twin_needs_update(*twin, relays, pk)) {
    print_out("twin " + std::to_string(**id) + " already publishes these relays and pk\n");
    return kExitOk;
  }
  std::promise<absl::Status> done;
  auto done_future = done.get_future();
  core::update_twin(dir->rpc(), shared_signer, relays, pk,
                    std::chrono::steady_clock::now() + std::chrono::seconds((*vm)["timeout"].as<unsigned>()),
                    [&done](absl::Status st) { done.set_value(std::move(st)); });
  const absl::Status st = wait(done_future);
  if (!st.ok()) throw failure(std::string(st.message()));
  std::string list;
  for (const auto& r : relays) list += (list.empty() ? "" : ",") + r;
  print_out("twin " + std::to_string(**id) + " updated: relays " + list + ", pk " + core::to_hex(pk) + "\n");
  return kExitOk;
}

int chain(const Invocation& inv) {
  return dispatch(inv, "Read and update twins on tfchain (see docs/tfchain.md).",
                  {{"twin", "read a twin from the chain", chain_twin},
                   {"update", "publish a twin's relays and e2e key", chain_update}});
}

const RegisterCommand kRegister({"chain", "read and update twins on tfchain", chain});

}  // namespace
}  // namespace rmb::tools
