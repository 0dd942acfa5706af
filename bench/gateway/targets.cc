#include "bench/gateway/targets.h"

#include "absl/strings/str_cat.h"

namespace rmb::bench {
namespace {

std::string verdict(bool applies, bool known, bool met) {
  if (!applies) return "";
  if (!known) return " (?)";
  return met ? " ok" : " MISS";
}

std::string us(double v) { return v >= 0 ? format_fixed(v, 0) : "-"; }

}  // namespace

TargetTable::TargetTable()
    : table_({"payload", "callers", "crypto us/call (sign+verify+aes)", "crypto-bound calls/s",
              "calls/s / bound (>=0.7)", "p50 / (crypto+nats p50) (<=1.6)", "peer A own us/call (<=60)",
              "peer B own us/call (<=60)", "switches/call (<=15)"}) {}

void TargetTable::add(const TargetRow& r) {
  const double bound = r.crypto.bound_calls_per_second(r.cores);
  const double bound_ratio = (bound > 0 && r.rmb_calls_per_second > 0) ? r.rmb_calls_per_second / bound : -1;
  const double chain = r.crypto.per_call_us() + r.nats_p50_us;
  const double latency_ratio = (r.rmb_p50_us > 0 && r.nats_p50_us > 0) ? r.rmb_p50_us / chain : -1;
  const double side = r.crypto.per_side_us();
  const double own_a = r.peer_a_cpu_us >= 0 ? r.peer_a_cpu_us - side : -1;
  const double own_b = r.peer_b_cpu_us >= 0 ? r.peer_b_cpu_us - side : -1;
  const bool one = r.callers == 1;
  table_.add({format_bytes(r.payload), absl::StrCat(r.callers),
              absl::StrCat(format_fixed(r.crypto.per_call_us(), 0), " (", format_fixed(r.crypto.sign_us, 0), "+",
                           format_fixed(r.crypto.verify_us, 0), "+", format_fixed(r.crypto.encrypt_us, 1), "+",
                           format_fixed(r.crypto.decrypt_us, 1), ")x2"),
              format_count(bound),
              absl::StrCat(bound_ratio >= 0 ? format_fixed(bound_ratio, 2) : "-",
                           verdict(r.most_callers, bound_ratio >= 0, bound_ratio >= kTargetBoundRatio)),
              absl::StrCat(latency_ratio >= 0 ? format_fixed(latency_ratio, 2) : "-",
                           verdict(one, latency_ratio >= 0, latency_ratio <= kTargetLatencyRatio)),
              absl::StrCat(us(own_a), verdict(r.most_callers, own_a >= 0, own_a <= kTargetOwnCpuUs)),
              absl::StrCat(us(own_b), verdict(r.most_callers, own_b >= 0, own_b <= kTargetOwnCpuUs)),
              absl::StrCat(r.switches >= 0 ? format_fixed(r.switches, 1) : "-",
                           verdict(one, r.switches >= 0, r.switches <= kTargetSwitches))});
}

void TargetTable::print(std::ostream& out) const {
  out << "Targets (issue 13), against the crypto floor measured in this process, same run (crypto columns: "
         "sign + verify + AES-GCM seal + open per side, x2 sides; 'own' = a peer's CPU per call minus one side's "
         "crypto):\n";
  table_.print(out);
}

}  // namespace rmb::bench
