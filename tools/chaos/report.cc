#include "tools/chaos/report.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace rmb::tools::chaos {
namespace {

std::string printf_string(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* format, ...) {
  char buf[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

std::string row(const char* label, uint64_t value, const std::string& note = "") {
  return printf_string("  %-44s %10llu%s\n", label, static_cast<unsigned long long>(value),
                       note.empty() ? "" : ("  " + note).c_str());
}

std::string duration_text(double ms) {
  if (ms < 1000) return printf_string("%.0f ms", ms);
  return printf_string("%.2f s", ms / 1000);
}

void examples(std::string& out, const char* title, uint64_t count, const std::vector<Example>& list) {
  if (list.empty()) return;
  out += printf_string("\n%s (%zu of %llu):\n", title, list.size(), static_cast<unsigned long long>(count));
  for (const auto& e : list) out += "  " + e.text + "\n";
}

double round3(double x) { return std::round(x * 1000) / 1000; }

nlohmann::ordered_json examples_json(const std::vector<Example>& list) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& e : list) out.push_back(e.text);
  return out;
}

}  // namespace

std::string format_report(const RunInfo& info, const Summary& s) {
  std::string out;
  out += printf_string("rmb chaos: %llu requests at concurrency %u, seed %llu, expiration %u s: %.1f s\n",
                       static_cast<unsigned long long>(info.requests), info.concurrency,
                       static_cast<unsigned long long>(info.seed), info.expiration_s, info.seconds);
  out += "  " + info.network + "\n";
  if (!info.aborted.empty()) out += "  ABORTED: " + info.aborted + "\n";
  out += "\n";
  out += row("sent", s.sent);
  out += row("answered correctly", s.answered_ok);
  out += row("lost (no answer before expiry)", s.lost + s.pending,
             s.pending ? std::to_string(s.pending) + " unfinished" : "");
  out += row("error outcomes", s.errors);
  out += row("wrong payloads", s.wrong);
  out += row("delivered to a service more than once", s.service_dups);
  out += row("  allowed: across the service's own peer crash", s.service_dups_own_peer_crash);
  out += row("outcomes to an app more than once", s.app_dups);
  out += row("re-issued by the app after its own peer died", s.reissued,
             s.reissued ? "(service saw both attempts: " + std::to_string(s.reissued_service_saw_both) + ")" : "");
  out += row("not the soak's (stray payloads, refs)", s.strays);
  out += printf_string("  %-44s p50 %s  p99 %s  max %s\n", "latency of correct answers",
                       duration_text(s.latency.p50_ms).c_str(), duration_text(s.latency.p99_ms).c_str(),
                       duration_text(s.latency.max_ms).c_str());

  if (!s.faults.empty()) {
    out += printf_string("\n  %-36s %9s %10s %14s\n", "fault", "at", "back in", "recovered in");
    for (const auto& f : s.faults) {
      out += printf_string("  %-36s %8.1fs %10s %14s  (%zu routes)\n", f.name.c_str(), f.at_s,
                           duration_text(f.downtime_ms).c_str(),
                           f.recovery_ms ? duration_text(*f.recovery_ms).c_str() : "NOT RECOVERED", f.routes);
    }
    out += "  (recovered: every route the fault touched answered a request sent after it)\n";
  }

  out += printf_string("\n  %-24s %8s %8s %6s %6s %6s\n", "route", "sent", "ok", "lost", "error", "wrong");
  for (const auto& r : s.routes) {
    out += printf_string("  %-24s %8llu %8llu %6llu %6llu %6llu\n", r.name.c_str(),
                         static_cast<unsigned long long>(r.sent), static_cast<unsigned long long>(r.ok),
                         static_cast<unsigned long long>(r.lost), static_cast<unsigned long long>(r.errors),
                         static_cast<unsigned long long>(r.wrong));
  }

  if (!s.error_kinds.empty()) {
    out += "\nerror outcomes by message:\n";
    for (const auto& [text, n] : s.error_kinds)
      out += printf_string("  %6llu  %s\n", static_cast<unsigned long long>(n), text.c_str());
  }
  examples(out, "lost", s.lost + s.pending, s.lost_examples);
  examples(out, "errors", s.errors, s.error_examples);
  examples(out, "wrong", s.wrong, s.wrong_examples);
  examples(out, "delivered to a service more than once", s.service_dups, s.dup_examples);
  examples(out, "allowed repeats across the service's own peer crash", s.service_dups_own_peer_crash,
           s.allowed_dup_examples);
  examples(out, "outcomes to an app more than once", s.app_dups, s.app_dup_examples);
  examples(out, "slowest correct answers", s.answered_ok, s.slowest);
  if (!s.stray_examples.empty()) {
    out += "\nnot the soak's:\n";
    for (const auto& t : s.stray_examples) out += "  " + t + "\n";
  }
  out += "\n";
  if (s.passed() && info.aborted.empty()) {
    out += "PASS: every request answered exactly once with its own payload\n";
  } else {
    out += "FAIL: see above";
    out += info.logs_kept ? "; logs in " + info.logs + " (grep a uid or a 'chaos <seq>.' payload there)\n" : "\n";
  }
  return out;
}

nlohmann::ordered_json report_json(const RunInfo& info, const Summary& s) {
  nlohmann::ordered_json faults = nlohmann::ordered_json::array();
  for (const auto& f : s.faults) {
    faults.push_back({{"fault", f.name},
                      {"at_s", round3(f.at_s)},
                      {"back_in_ms", round3(f.downtime_ms)},
                      {"recovered_in_ms", f.recovery_ms ? nlohmann::ordered_json(round3(*f.recovery_ms)) : nullptr},
                      {"routes", f.routes}});
  }
  nlohmann::ordered_json routes = nlohmann::ordered_json::array();
  for (const auto& r : s.routes) {
    routes.push_back({{"route", r.name},
                      {"sent", r.sent},
                      {"ok", r.ok},
                      {"lost", r.lost},
                      {"errors", r.errors},
                      {"wrong", r.wrong}});
  }
  return {{"passed", s.passed() && info.aborted.empty()},
          {"aborted", info.aborted.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(info.aborted)},
          {"requests", info.requests},
          {"concurrency", info.concurrency},
          {"seed", info.seed},
          {"expiration_s", info.expiration_s},
          {"seconds", round3(info.seconds)},
          {"sent", s.sent},
          {"answered", s.answered_ok},
          {"lost", s.lost + s.pending},
          {"errors", s.errors},
          {"wrong", s.wrong},
          {"service_duplicates", s.service_dups},
          {"service_duplicates_own_peer_crash", s.service_dups_own_peer_crash},
          {"app_duplicates", s.app_dups},
          {"reissued", s.reissued},
          {"reissued_service_saw_both", s.reissued_service_saw_both},
          {"strays", s.strays},
          {"latency_ms",
           {{"p50", round3(s.latency.p50_ms)}, {"p99", round3(s.latency.p99_ms)}, {"max", round3(s.latency.max_ms)}}},
          {"faults", faults},
          {"routes", routes},
          {"error_kinds", s.error_kinds},
          {"lost_examples", examples_json(s.lost_examples)},
          {"error_examples", examples_json(s.error_examples)},
          {"duplicate_examples", examples_json(s.dup_examples)},
          {"app_duplicate_examples", examples_json(s.app_dup_examples)},
          {"slowest", examples_json(s.slowest)},
          {"logs", info.logs_kept ? nlohmann::ordered_json(info.logs) : nullptr}};
}

}  // namespace rmb::tools::chaos
