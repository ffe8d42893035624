// The one exception of the core: a fatal error that stops a command (exit status 2).
// Problems with a single input file are never exceptions: they are data on its record.
#pragma once

#include <stdexcept>
#include <string>

namespace ipd {

class Fatal : public std::runtime_error {
public:
  explicit Fatal(const std::string& message) : std::runtime_error(message) {}
};

} // namespace ipd
