#include "index/core/hash.hpp"
#include "index/core/io.hpp"
#include "index/plan/file_content.hpp"

#include <algorithm>
#include <functional>
#include <span>

namespace ipd {

namespace {

// Maps the file for `fn`; false with the reason in `error` when it cannot be opened or mapped.
bool with_bytes(const FileRecord& file, std::string& error,
                const std::function<void(std::span<const std::uint8_t>)>& fn) {
  const int fd = open_input(file.path.c_str(), error);
  if (fd < 0) {
    return false;
  }
  FdGuard guard(fd);
  MappedFile mapped;
  if (!mapped.map(fd, file.size, error)) {
    return false;
  }
  fn(mapped.bytes());
  return true;
}

class DiskContent final : public FileContent {
public:
  std::uint64_t head_hash(const FileRecord& file, std::size_t bytes) override {
    std::uint64_t hash = 0;
    std::string error;
    with_bytes(file, error, [&](std::span<const std::uint8_t> all) {
      hash = content_hash(all.first(std::min(all.size(), bytes)));
    });
    return hash;
  }

  std::uint64_t full_hash(const FileRecord& file) override {
    std::uint64_t hash = 0;
    std::string error;
    with_bytes(file, error, [&](std::span<const std::uint8_t> all) { hash = content_hash(all); });
    return hash;
  }

  bool fingerprint(const FileRecord& file, Fingerprint& out, std::string& error) override {
    init_fingerprints();
    bool ok = false;
    with_bytes(file, error, [&](std::span<const std::uint8_t> bytes) {
      ok = compute_fingerprint(bytes, file.format, out, error);
    });
    return ok;
  }

  bool sample(const FileRecord& file, Sample& out, std::string& error) override {
    init_fingerprints();
    bool ok = false;
    with_bytes(file, error, [&](std::span<const std::uint8_t> bytes) {
      ok = compute_sample(bytes, file.format, out, error);
    });
    return ok;
  }

  double full_compare(const FileRecord& a, const FileRecord& b, std::string& error) override {
    double percent = -1;
    with_bytes(a, error, [&](std::span<const std::uint8_t> bytes_a) {
      with_bytes(b, error, [&](std::span<const std::uint8_t> bytes_b) {
        percent = full_compare_percent(bytes_a, a.format, bytes_b, b.format, error);
      });
    });
    return percent;
  }
};

} // namespace

std::unique_ptr<FileContent> disk_content() { return std::make_unique<DiskContent>(); }

} // namespace ipd
