#pragma once
// Orders a twin's relay domains by recent failures (PROTOCOL.md §5.10): each downvote is
// a timestamp, older than `period` ones are pruned, rate = failures / (period / 1 h), and
// reorder() sorts ascending by rate with ties in random order. Thread-safe.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace rmb::relay {

class Ranker {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit Ranker(std::chrono::seconds period = std::chrono::seconds(3600), Clock clock = {});

  void downvote(const std::string& domain);
  // Failures within the period, divided by the period in hours.
  double failure_rate(const std::string& domain);
  std::vector<std::string> reorder(const std::set<std::string>& domains);

 private:
  void prune_locked(const std::string& domain, std::chrono::steady_clock::time_point now);

  const std::chrono::seconds period_;
  const Clock clock_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> failures_;
  std::mt19937_64 rng_;
};

}  // namespace rmb::relay
