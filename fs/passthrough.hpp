// Kernel FUSE passthrough (Linux 6.9 and later): the kernel reads a file opened through the mount
// straight from its source, as if it had opened the source itself, with no request to this
// server per read. libfuse 3.14 predates it, so it is negotiated below libfuse: the session's
// io (fuse_session_custom_io) notes whether the kernel's INIT request offers it, and patches
// the INIT reply to take it and the replies to OPEN to name the source.
//
// Inputs are sacred: the kernel opens its own file on the source with the opener's flags, which
// need not include O_NOATIME, so every source is handed to the kernel through a private,
// detached bind mount of that one file with `noatime` set (open_tree + mount_setattr), through
// which no read can change its atime.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unordered_map>

namespace ipd::fs {

class Passthrough {
public:
  using Log = std::function<void(const std::string&)>;
  explicit Passthrough(Log log);

  // The session's io, from fuse_session_custom_io: `device` is the session's /dev/fuse
  // descriptor; every request read from it goes past saw_request, every reply is sent by writev.
  void set_device(int device) { m_device = device; }
  void saw_request(const void* buf, std::size_t size);
  ssize_t writev(int fd, const iovec* iov, int count);

  // True once the kernel offered passthrough and the reply to INIT took it.
  bool enabled() const { return m_enabled.load(std::memory_order_acquire); }

  // How the reads of one open file are served.
  enum class Reads {
    server,        // by this server, through the kernel's page cache (no passthrough)
    kernel,        // by the kernel from the source (passthrough)
    server_direct, // by this server without the page cache, while the kernel passes other opens
                   // of the same inode through to another file (FOPEN_DIRECT_IO with the
                   // inode's backing file, as the kernel requires for every open of it)
  };

  // One open file's share of its inode's mode; returned on destruction (release).
  class Lease {
  public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    Reads reads() const { return m_reads; }
    int backing_id() const { return m_backing_id; }

  private:
    friend class Passthrough;
    Passthrough* m_owner = nullptr; // nullptr when passthrough is off: nothing to return
    std::uint64_t m_ino = 0;
    Reads m_reads = Reads::server;
    int m_backing_id = 0;
  };

  // For an open of the file with inode number `ino` (the mount's): `fd` is its source's
  // descriptor and `st` the source's fstat, or nullptr when its reads must come to this server
  // (a generated file, a source changed since it was indexed). Sources under 1 MiB are served
  // by this server too. `name` is for log lines.
  Lease open(std::uint64_t ino, int fd, const struct stat* st, std::string_view name);

  // fuse_reply_open, with FOPEN_PASSTHROUGH and the backing id when the lease says so.
  int reply_open(fuse_req_t req, fuse_file_info* fi, const Lease& lease);

private:
  // An inode open through the mount while passthrough is on: either passed through to one
  // backing file, or (backing_id 0) read through the page cache; every open of it must agree.
  struct Inode {
    int backing_id = 0;
    dev_t dev = 0; // the backing file's
    ino_t ino = 0;
    unsigned opens = 0;
  };

  int make_backing(int fd, std::string_view name);
  int backing_open(int file, std::string& error) const;
  void close_backing(int backing_id) const;
  void release(std::uint64_t ino);
  bool patch_init(void* init_out, std::size_t size) const;

  Log m_log;
  int m_device = -1;
  std::atomic<std::uint64_t> m_init_unique{0}; // the INIT request's, until it is answered
  std::atomic<bool> m_offered{false};
  std::atomic<bool> m_enabled{false};
  std::atomic<bool> m_backing_works{true};      // false after the kernel refused it for good
  std::atomic<bool> m_backing_takes_path{true}; // the kernel takes an O_PATH backing file
  std::atomic<bool> m_told{false};              // a log line said how reads are served
  std::atomic<bool> m_told_failure{false};
  std::mutex m_mutex; // protects m_inodes
  std::unordered_map<std::uint64_t, Inode> m_inodes;
};

} // namespace ipd::fs
