#include "core/directory/directory_file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/directory/file_directory.h"

namespace rmb::core {
namespace {

absl::Status io_error(absl::string_view what, const std::string& path, int err) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(err)));
}

absl::Status errno_status(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

absl::Status write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> read_text_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return absl::NotFoundError(absl::StrCat("no such file: ", path));
    return io_error("cannot open", path, err);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return io_error("cannot stat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file"));
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return io_error("cannot read", path, err);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

absl::StatusOr<std::vector<Twin>> read_directory_file(const std::string& path) {
  auto text = read_text_file(path);
  if (!text.ok()) return text.status();
  auto twins = parse_directory_json(*text);
  if (!twins.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", twins.status().message()));
  }
  return twins;
}

absl::Status write_directory_file(const std::string& path, const std::vector<Twin>& twins) {
  const std::string text = directory_to_json(twins);
  // mkstemp in the same directory so that rename() stays on one file system (atomic).
  std::string tmp = absl::StrCat(path, ".tmp.XXXXXX");
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) return io_error("cannot create a temporary file next to", path, errno);
  absl::Status st = write_all(fd, text);
  // mkstemp creates 0600; a directory file holds only public data, so use the usual mode.
  if (st.ok() && ::fchmod(fd, 0644) != 0) st = errno_status("chmod");
  if (st.ok() && ::fsync(fd) != 0) st = errno_status("fsync");
  if (::close(fd) != 0 && st.ok()) st = errno_status("close");
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = errno_status("rename");
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", st.message()));
  }
  return absl::OkStatus();
}

}  // namespace rmb::core
