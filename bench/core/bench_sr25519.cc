// sr25519 (schnorrkel on libsodium's ristretto255 + our Merlin) beside ed25519 (libsodium)
// signing and verifying the 16-byte MD5 challenge digest and a 256-byte JWT-sized input, in
// the same run, then prints sr25519/ed25519 per operation. Times are CPU ns per operation,
// the minimum over repetitions (least disturbed by other load on the machine).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include "core/protocol/identity/signer.h"

namespace {

using rmb::core::ByteView;
using rmb::core::KeyType;

const rmb::core::Signer& signer(KeyType type) {
  static const auto make = [](KeyType t) {
    rmb::core::Seed seed{};
    for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i * 13 + 1);
    return std::move(*rmb::core::make_signer(t, seed));
  };
  static const std::unique_ptr<rmb::core::Signer> ed = make(KeyType::kEd25519);
  static const std::unique_ptr<rmb::core::Signer> sr = make(KeyType::kSr25519);
  return type == KeyType::kEd25519 ? *ed : *sr;
}

std::string message(int64_t size) { return std::string(static_cast<size_t>(size), 'm'); }

void BM_Sign(benchmark::State& state, KeyType type) {
  const auto& s = signer(type);
  const std::string msg = message(state.range(0));
  for (auto _ : state) {
    auto sig = s.sign(rmb::core::as_bytes(msg));
    benchmark::DoNotOptimize(sig);
  }
}

void BM_Verify(benchmark::State& state, KeyType type) {
  const auto& s = signer(type);
  const std::string msg = message(state.range(0));
  const auto sig = s.sign(rmb::core::as_bytes(msg));
  for (auto _ : state) {
    auto st = rmb::core::verify_signature(s.account(), rmb::core::as_bytes(msg), sig);
    if (!st.ok()) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(st);
  }
}

BENCHMARK_CAPTURE(BM_Sign, ed25519, KeyType::kEd25519)->Arg(16)->Arg(256);
BENCHMARK_CAPTURE(BM_Sign, sr25519, KeyType::kSr25519)->Arg(16)->Arg(256);
BENCHMARK_CAPTURE(BM_Verify, ed25519, KeyType::kEd25519)->Arg(16)->Arg(256);
BENCHMARK_CAPTURE(BM_Verify, sr25519, KeyType::kSr25519)->Arg(16)->Arg(256);

class MinReporter : public benchmark::ConsoleReporter {
 public:
  MinReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}
  std::map<std::string, double> best;  // run name -> minimum CPU ns

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      double ns = run.GetAdjustedCPUTime();
      if (run.time_unit == benchmark::kMicrosecond) ns *= 1e3;
      if (run.time_unit == benchmark::kMillisecond) ns *= 1e6;
      if (run.time_unit == benchmark::kSecond) ns *= 1e9;
      auto [it, inserted] = best.emplace(run.run_name.str(), ns);
      if (!inserted && ns < it->second) it->second = ns;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

double get(const std::map<std::string, double>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  MinReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\n%-8s %8s %14s %14s %12s\n", "op", "msg B", "ed25519 ns", "sr25519 ns", "sr/ed");
  for (const char* op : {"Sign", "Verify"}) {
    for (const char* size : {"16", "256"}) {
      const double ed = get(reporter.best, std::string("BM_") + op + "/ed25519/" + size);
      const double sr = get(reporter.best, std::string("BM_") + op + "/sr25519/" + size);
      std::printf("%-8s %8s %14.0f %14.0f %11.2fx\n", op, size, ed, sr, sr / ed);
    }
  }
  return 0;
}
