#include "index/core/placement.hpp"

#include "index/core/text.hpp"

namespace ipd {

bool is_manifest_name(std::string_view name) {
  const std::string lower = lower_ascii(name);
  const std::string manifest = lower_ascii(k_manifest_name);
  return lower == manifest || lower == manifest + ".journal" || lower == manifest + ".tmp";
}

bool is_reserved_top_name(std::string_view name) {
  const std::string lower = lower_ascii(name);
  for (const std::string_view folder :
       {"duplicates", "unknown_time", "unknown_device", "other", "readme.txt"}) {
    if (lower == folder) {
      return true;
    }
  }
  return is_manifest_name(name);
}

std::string_view role_name(Role role) {
  switch (role) {
  case Role::keeper: return "keeper";
  case Role::companion: return "companion";
  case Role::raw_sidecar: return "raw-sidecar";
  case Role::duplicate: return "duplicate";
  case Role::unknown_time: return "unknown-time";
  case Role::other: return "other";
  }
  return "other";
}

std::optional<Role> parse_role(std::string_view name) {
  for (Role role :
       {Role::keeper, Role::companion, Role::raw_sidecar, Role::duplicate, Role::unknown_time, Role::other}) {
    if (role_name(role) == name) {
      return role;
    }
  }
  return std::nullopt;
}

} // namespace ipd
