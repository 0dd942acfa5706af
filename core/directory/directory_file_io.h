#pragma once
// Reading and atomically writing the twin directory file (used by `rmb directory` and
// FileDirectory).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/directory/twin.h"

namespace rmb::core {

// Whole file as text. NotFoundError when it does not exist; other I/O problems are
// InternalError. Both messages name the path.
absl::StatusOr<std::string> read_text_file(const std::string& path);

// read_text_file + parse_directory_json; parse errors are prefixed with the path.
absl::StatusOr<std::vector<Twin>> read_directory_file(const std::string& path);

// Writes `twins` next to `path` in a temporary file, fsyncs it and renames it over
// `path`, so readers (a running FileDirectory) see either the old or the new file, never
// a half-written one.
absl::Status write_directory_file(const std::string& path, const std::vector<Twin>& twins);

}  // namespace rmb::core
