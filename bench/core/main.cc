// Runs the core benchmarks and then prints, per operation and payload size, our time
// over the bare primitives' time (target <= 1.2x) and the per-message-ECDH time over the
// cached-ECDH time (target >= 5x). Times are CPU time per iteration, the minimum over
// repetitions, which is the figure least disturbed by other processes on the machine.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>

namespace {

class CollectingReporter : public benchmark::ConsoleReporter {
 public:
  // Colour only on a terminal, so a saved log stays readable.
  CollectingReporter() : ConsoleReporter(isatty(STDOUT_FILENO) ? OO_ColorTabular : OO_Tabular) {}

  // name -> minimum CPU ns per iteration over all repetitions.
  std::map<std::string, double> best;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      const std::string name = run.run_name.str();
      const double ns = run.GetAdjustedCPUTime() * multiplier(run.time_unit);
      auto [it, inserted] = best.emplace(name, ns);
      if (!inserted && ns < it->second) it->second = ns;
    }
    ConsoleReporter::ReportRuns(runs);
  }

 private:
  static double multiplier(benchmark::TimeUnit unit) {
    switch (unit) {
      case benchmark::kNanosecond:
        return 1;
      case benchmark::kMicrosecond:
        return 1e3;
      case benchmark::kMillisecond:
        return 1e6;
      case benchmark::kSecond:
        return 1e9;
    }
    return 1;
  }
};

double get(const std::map<std::string, double>& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
}

void print_summary(const std::map<std::string, double>& best) {
  std::printf("\n%-10s %8s %14s %14s %12s\n", "operation", "payload", "ours ns", "bare ns", "ours/bare");
  const char* sizes[] = {"64", "1024", "65536"};
  for (const char* op : {"sign", "verify", "encrypt", "decrypt"}) {
    for (const char* size : sizes) {
      const std::string suffix = std::string("/") + size;
      const double ours = get(best, std::string(op) + "/ours" + suffix);
      const double bare = get(best, std::string(op) + "/bare" + suffix);
      if (std::isnan(ours) || std::isnan(bare)) continue;  // filtered out
      std::printf("%-10s %8s %14.0f %14.0f %11.3fx%s\n", op, size, ours, bare, ours / bare,
                  ours / bare <= 1.2 ? "" : "  (above 1.2x)");
    }
  }
  const double ecdh_ours = get(best, "ecdh/ours");
  const double ecdh_bare = get(best, "ecdh/bare");
  if (!std::isnan(ecdh_ours) && !std::isnan(ecdh_bare)) {
    std::printf("%-10s %8s %14.0f %14.0f %11.3fx%s\n", "ecdh", "-", ecdh_ours, ecdh_bare, ecdh_ours / ecdh_bare,
                ecdh_ours / ecdh_bare <= 1.2 ? "" : "  (above 1.2x)");
  }

  std::printf("\n%-22s %8s %14s %14s %10s\n", "encrypt, shared key", "payload", "per-msg ns", "cached ns", "speedup");
  for (const char* size : sizes) {
    const std::string suffix = std::string("/") + size;
    const double permsg = get(best, "encrypt/permsg" + suffix);
    const double cached = get(best, "encrypt/ours" + suffix);
    if (std::isnan(permsg) || std::isnan(cached)) continue;
    std::printf("%-22s %8s %14.0f %14.0f %9.2fx%s\n", "ECDH per msg vs cache", size, permsg, cached, permsg / cached,
                permsg / cached >= 5 ? "" : "  (below 5x)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  CollectingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_summary(reporter.best);
  benchmark::Shutdown();
  return 0;
}
