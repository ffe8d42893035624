#include "index/core/module.hpp"

#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <vector>

namespace ipd {

void* load_module_entry(const char* file_name, const char* built_path, const char* entry, std::string& error,
                        std::string& loaded_from) {
  std::vector<std::filesystem::path> candidates;
  if (const char* env = std::getenv("IPD_MODULE_DIR"); env && *env) {
    candidates.push_back(std::filesystem::path(env) / file_name);
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path() / file_name);
    candidates.push_back(exe.parent_path().parent_path() / "lib/iphone-photo-dedup" / file_name);
  }
  candidates.emplace_back(built_path);
  std::string tried;
  for (const auto& path : candidates) {
    if (!std::filesystem::exists(path, ec)) {
      tried += (tried.empty() ? "" : ", ") + path.string();
      continue;
    }
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = ::dlerror();
      error = why ? why : "cannot load " + path.string();
      return nullptr;
    }
    loaded_from = path.string();
    void* symbol = ::dlsym(handle, entry);
    if (!symbol) {
      error = path.string() + " has no " + entry;
    }
    return symbol;
  }
  error = std::string(file_name) + " not found (looked for " + tried + ")";
  return nullptr;
}

} // namespace ipd
