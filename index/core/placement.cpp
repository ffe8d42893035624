#include "index/core/placement.hpp"

namespace ipd {

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
