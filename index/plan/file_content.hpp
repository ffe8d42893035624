// What the plan reads of the input files, behind one small interface: hashes of their bytes and
// fingerprints of their pictures. The plan's passes never open a file themselves, so each can be
// tested on hand-built records with a FileContent that answers from memory.
#pragma once

#include "index/core/record.hpp"
#include "index/pixels/fingerprint.hpp"
#include "index/pixels/sample.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace ipd {

// Every function may be called from several threads at once and never throws.
class FileContent {
public:
  virtual ~FileContent() = default;
  // content_hash() of the file's first `bytes` bytes (all of them when it is shorter); 0 when it
  // cannot be read.
  virtual std::uint64_t head_hash(const FileRecord& file, std::size_t bytes) = 0;
  // content_hash() of all the file's bytes; 0 when it cannot be read.
  virtual std::uint64_t full_hash(const FileRecord& file) = 0;
  // The fingerprint of a still; false with the reason in `error` when it cannot be read or decoded.
  virtual bool fingerprint(const FileRecord& file, Fingerprint& out, std::string& error) = 0;
  // The sample of a still (sample.hpp); false with the reason in `error` when it cannot be made.
  virtual bool sample(const FileRecord& file, Sample& out, std::string& error) = 0;
  // --full-compare: how much the two whole pictures differ, in percent (full_compare_percent);
  // negative with the reason in `error` when either cannot be read or decoded.
  virtual double full_compare(const FileRecord& a, const FileRecord& b, std::string& error) = 0;
};

// The inputs themselves: each file opened read-only with O_NOATIME (core/io.hpp) and mapped for
// the call, pictures decoded by the pixels module.
std::unique_ptr<FileContent> disk_content();

} // namespace ipd
