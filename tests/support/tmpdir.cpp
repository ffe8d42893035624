#include "tmpdir.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>

namespace ipd::test {

TmpDir::TmpDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/ipd-test-XXXXXX";
  if (!mkdtemp(pattern.data())) {
    throw std::runtime_error("mkdtemp failed");
  }
  m_path = pattern;
}

TmpDir::~TmpDir() {
  std::error_code ec;
  // Make everything removable again (tests chmod files and directories to 000).
  for (auto it = std::filesystem::recursive_directory_iterator(
           m_path, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      ::chmod(it->path().c_str(), 0755);
    }
  }
  ::chmod(m_path.c_str(), 0755);
  std::filesystem::remove_all(m_path, ec);
}

void write_file(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path corpus_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("IPD_CORPUS"); env && *env) {
    dir = env;
  } else {
    dir = IPD_CORPUS_DIR;
  }
  std::error_code ec;
  if (std::filesystem::exists(dir / "MANIFEST.tsv", ec)) {
    return std::filesystem::canonical(dir, ec);
  }
  return {};
}

} // namespace ipd::test
