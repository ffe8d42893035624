// A fresh temporary directory per test case, removed with everything in it on destruction.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ipd::test {

class TmpDir {
public:
  TmpDir();
  ~TmpDir();
  TmpDir(const TmpDir&) = delete;
  TmpDir& operator=(const TmpDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path operator/(std::string_view name) const { return m_path / name; }

private:
  std::filesystem::path m_path;
};

// Writes `content` to `path`, creating parent directories.
void write_file(const std::filesystem::path& path, std::string_view content);
// Reads a whole file; throws on failure.
std::string read_file(const std::filesystem::path& path);

// The real-device corpus (../shared/corpus/real beside the source tree, or $IPD_CORPUS),
// or an empty path when it is absent.
std::filesystem::path corpus_dir();

} // namespace ipd::test
