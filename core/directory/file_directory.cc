#include "core/directory/file_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"

namespace rmb::core {
namespace {

// Identifies one version of the file. mtime alone misses a same-second rewrite on file
// systems with coarse timestamps, so size and inode (which rename-based writers change)
// count too.
struct FileKey {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  bool operator==(const FileKey&) const = default;
};

FileKey key_of(const struct stat& st) {
  return FileKey{true, st.st_dev, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
}

FileKey stat_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return FileKey{};
  return key_of(st);
}

struct Index {
  std::unordered_map<uint32_t, Twin> by_id;
  std::map<AccountId, uint32_t> by_account;
};

struct Loaded {
  FileKey key;  // the version that was read (or attempted)
  absl::StatusOr<std::shared_ptr<const Index>> index;
};

// Reads through one descriptor so that the key and the content belong to the same inode
// even if a writer renames a new file into place meanwhile.
Loaded load(const std::string& path) {
  Loaded out{stat_key(path), absl::UnknownError("unset")};
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    out.index = absl::NotFoundError(absl::StrCat("cannot open directory file ", path, ": ", std::strerror(errno)));
    return out;
  }
  struct stat st {};
  std::string text;
  bool ok = ::fstat(fd, &st) == 0;
  if (ok) {
    out.key = key_of(st);
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ok = false;
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
  }
  const int err = errno;
  ::close(fd);
  if (!ok) {
    out.index = absl::InternalError(absl::StrCat("cannot read directory file ", path, ": ", std::strerror(err)));
    return out;
  }
  auto twins = parse_directory_json(text);
  if (!twins.ok()) {
    out.index = absl::InvalidArgumentError(absl::StrCat(path, ": ", twins.status().message()));
    return out;
  }
  auto index = std::make_shared<Index>();
  for (Twin& twin : *twins) {
    index->by_account.emplace(twin.account, twin.id);
    index->by_id.emplace(twin.id, std::move(twin));
  }
  out.index = std::shared_ptr<const Index>(std::move(index));
  return out;
}

// Logs go to stderr, one line per event (DESIGN.md); the lookup path has no caller to
// return a reload error to.
void log_line(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

}  // namespace

// Immutable once published; readers keep their shared_ptr for as long as they need it.
struct FileDirectory::Snapshot {
  FileKey key;                         // the file version this snapshot stands for
  std::shared_ptr<const Index> index;  // may be carried over from an older version
};

FileDirectory::FileDirectory(std::string path, std::chrono::milliseconds recheck)
    : path_(std::move(path)), recheck_(recheck) {}

absl::StatusOr<std::unique_ptr<FileDirectory>> FileDirectory::open(std::string path,
                                                                   std::chrono::milliseconds recheck) {
  Loaded loaded = load(path);
  if (!loaded.index.ok()) return loaded.index.status();
  std::unique_ptr<FileDirectory> dir(new FileDirectory(std::move(path), recheck));
  dir->snapshot_ = std::make_shared<const Snapshot>(Snapshot{loaded.key, *loaded.index});
  dir->last_check_ = std::chrono::steady_clock::now();
  return dir;
}

std::shared_ptr<const FileDirectory::Snapshot> FileDirectory::current() {
  const auto now = std::chrono::steady_clock::now();
  std::shared_ptr<const Snapshot> snap;
  {
    std::lock_guard<std::mutex> lock(mu_);
    snap = snapshot_;
    if (now - last_check_ < recheck_) return snap;
    last_check_ = now;  // only this caller re-checks; the others keep reading `snap`
  }
  if (stat_key(path_) == snap->key) return snap;

  // Loading happens outside the lock. Should a concurrent reload() publish a newer
  // version first and this one overwrite it, the published key no longer matches the
  // file and the next check loads again, so a stale snapshot never sticks.
  Loaded loaded = load(path_);
  std::lock_guard<std::mutex> lock(mu_);
  if (loaded.index.ok()) {
    snapshot_ = std::make_shared<const Snapshot>(Snapshot{loaded.key, *loaded.index});
    log_line(absl::StrCat("directory: reloaded ", path_, " (", (*loaded.index)->by_id.size(), " twins)"));
  } else {
    // Remember the bad version so it is reported once, not on every check.
    snapshot_ = std::make_shared<const Snapshot>(Snapshot{loaded.key, snapshot_->index});
    log_line(absl::StrCat("directory: reload failed, keeping the previous ", snapshot_->index->by_id.size(),
                          " twins: ", loaded.index.status().message()));
  }
  return snapshot_;
}

absl::Status FileDirectory::reload() {
  Loaded loaded = load(path_);
  std::lock_guard<std::mutex> lock(mu_);
  last_check_ = std::chrono::steady_clock::now();
  if (!loaded.index.ok()) {
    snapshot_ = std::make_shared<const Snapshot>(Snapshot{loaded.key, snapshot_->index});
    return loaded.index.status();
  }
  snapshot_ = std::make_shared<const Snapshot>(Snapshot{loaded.key, *loaded.index});
  return absl::OkStatus();
}

void FileDirectory::get_twin(uint32_t id, TwinCallback done) {
  const auto snap = current();
  const auto it = snap->index->by_id.find(id);
  if (it == snap->index->by_id.end()) {
    done(std::optional<Twin>());
    return;
  }
  done(std::optional<Twin>(it->second));
}

void FileDirectory::get_twin_id(const AccountId& account, IdCallback done) {
  const auto snap = current();
  const auto it = snap->index->by_account.find(account);
  if (it == snap->index->by_account.end()) {
    done(std::optional<uint32_t>());
    return;
  }
  done(std::optional<uint32_t>(it->second));
}

}  // namespace rmb::core
