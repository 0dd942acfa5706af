#pragma once
// The embedded default directory: a JSON file (format in docs/directory-file.md).
// Validated on load (errors name the entry and field), reloaded when the file's mtime
// changes (checked at most once per `recheck` interval on lookup) or on reload().
// Safe under concurrent readers: lookups read an immutable snapshot.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/directory/twin_directory.h"

namespace rmb::core {

class FileDirectory final : public TwinDirectory {
 public:
  static absl::StatusOr<std::unique_ptr<FileDirectory>> open(
      std::string path, std::chrono::milliseconds recheck = std::chrono::milliseconds(1000));

  void get_twin(uint32_t id, TwinCallback done) override;
  void get_twin_id(const AccountId& account, IdCallback done) override;

  // Re-reads the file now (SIGHUP handlers call this). On a bad file the old snapshot
  // stays in force and the error is returned.
  absl::Status reload();

 private:
  struct Snapshot;
  explicit FileDirectory(std::string path, std::chrono::milliseconds recheck);
  std::shared_ptr<const Snapshot> current();

  std::string path_;
  std::chrono::milliseconds recheck_;
  std::mutex mu_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::chrono::steady_clock::time_point last_check_{};
};

// Parse / serialise the file format (also used by `rmb directory`).
absl::StatusOr<std::vector<Twin>> parse_directory_json(std::string_view text);
std::string directory_to_json(const std::vector<Twin>& twins);

}  // namespace rmb::core
