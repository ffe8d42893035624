#include "passthrough.hpp"

#include "index/core/io.hpp"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <utility>

namespace ipd::fs {

namespace {

// What Linux 6.9 added to the FUSE protocol for passthrough (include/uapi/linux/fuse.h, protocol
// 7.40), which the system's <linux/fuse.h> may predate:
//   FUSE_PASSTHROUGH          INIT flag (1ULL << 37, bit 5 of flags2)
//   fuse_init_out             uint32_t max_stack_depth after flags2 (was unused[0])
//   FOPEN_PASSTHROUGH         open flag (1 << 7)
//   fuse_open_out             int32_t backing_id after open_flags (was padding)
//   struct fuse_backing_map   { int32_t fd; uint32_t flags; uint64_t padding; }
//   FUSE_DEV_IOC_BACKING_OPEN  _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
//   FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)
constexpr std::uint64_t k_init_passthrough = 1ULL << 37;
constexpr std::uint32_t k_open_passthrough = 1U << 7;
// How deep the sources' filesystems may themselves be stacked: up to FILESYSTEM_MAX_STACK_DEPTH
// (2), so that sources on overlayfs pass through too. The mount then cannot be a layer of an
// overlayfs itself.
constexpr std::uint32_t k_max_stack_depth = 2;
struct BackingMap {
  std::int32_t fd = -1;
  std::uint32_t flags = 0;
  std::uint64_t padding = 0;
};
constexpr unsigned long k_ioc_backing_open = _IOW(229, 1, BackingMap);
constexpr unsigned long k_ioc_backing_close = _IOW(229, 2, std::uint32_t);

// Smaller files are served by this server, through the mount's page cache. Setting passthrough
// up for an open (a bind mount, a backing file) costs about 0.1 to 0.2 ms, about what reading
// 1 MiB through the server costs, and more than reading a small file again from the page cache.
constexpr off_t k_min_size = 1 << 20;

static_assert(sizeof(fuse_open_out) == 16 && offsetof(fuse_open_out, padding) == 12);
static_assert(offsetof(fuse_init_out, flags2) == 32 && offsetof(fuse_init_out, unused) == 36);

// The backing id that the reply being sent on this thread carries (reply_open), else 0.
thread_local int t_backing_id = 0;

// A private, detached bind mount of just `fd`'s file with `noatime` set, as an O_PATH
// descriptor of the file at its root (open_tree). The kernel opens its own file on the source
// on the mount of the file handed to it, so no read through the FUSE mount can change the
// source's atime, whatever flags the reader opened it with. The bind mount goes away with the
// last file open through it. Returns -errno, with what failed in `error`.
int noatime_bind_mount(int fd, std::string& error) {
  const int tree = ::open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) {
    const int err = errno;
    error = "open_tree: " + errno_text(err);
    return -err;
  }
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_NOATIME;
  attr.attr_clr = MOUNT_ATTR__ATIME;
  if (::mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
    const int err = errno;
    error = "mount_setattr noatime: " + errno_text(err);
    ::close(tree);
    return -err;
  }
  struct stat want {
  }, got{};
  if (::fstat(fd, &want) != 0 || ::fstat(tree, &got) != 0 || want.st_dev != got.st_dev ||
      want.st_ino != got.st_ino) {
    error = "the bind mount shows another file";
    ::close(tree);
    return -EIO;
  }
  return tree;
}

// The file at the root of `tree` (noatime_bind_mount), opened for reading through it.
int reopen(int tree, std::string& error) {
  const std::string path = "/proc/self/fd/" + std::to_string(tree);
  int file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOATIME);
  if (file < 0 && errno == EPERM) {
    file = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  }
  if (file < 0) {
    const int err = errno;
    error = "open " + path + ": " + errno_text(err);
    return -err;
  }
  return file;
}

} // namespace

Passthrough::Passthrough(Log log) : m_log(std::move(log)) {}

void Passthrough::saw_request(const void* buf, std::size_t size) {
  fuse_in_header in{};
  if (size < sizeof in) {
    return;
  }
  std::memcpy(&in, buf, sizeof in);
  if (in.opcode != FUSE_INIT) {
    return;
  }
  fuse_init_in init{};
  std::memcpy(&init, static_cast<const char*>(buf) + sizeof in, std::min(size - sizeof in, sizeof init));
  std::uint64_t flags = init.flags;
  if (flags & FUSE_INIT_EXT) {
    flags |= std::uint64_t(init.flags2) << 32;
  }
  m_offered.store(init.major == 7 && (flags & k_init_passthrough) != 0);
  m_init_unique.store(in.unique);
}

bool Passthrough::patch_init(void* init_out, std::size_t size) const {
  fuse_init_out out{};
  std::memcpy(&out, init_out, std::min(size, sizeof out));
  // The kernel takes passthrough only without the writeback cache (op_init never asks for it).
  if (!m_offered.load() || size < offsetof(fuse_init_out, unused) + sizeof(std::uint32_t) ||
      (out.flags & FUSE_WRITEBACK_CACHE)) {
    return false;
  }
  out.flags |= FUSE_INIT_EXT;
  out.flags2 |= static_cast<std::uint32_t>(k_init_passthrough >> 32);
  out.unused[0] = k_max_stack_depth;
  std::memcpy(init_out, &out, std::min(size, sizeof out));
  return true;
}

ssize_t Passthrough::writev(int fd, const iovec* iov, int count) {
  fuse_out_header out{};
  if (count != 2 || iov[0].iov_len != sizeof out) {
    return ::writev(fd, iov, count);
  }
  std::memcpy(&out, iov[0].iov_base, sizeof out);
  if (out.error != 0) {
    return ::writev(fd, iov, count);
  }
  if (t_backing_id != 0 && iov[1].iov_len == sizeof(fuse_open_out)) {
    fuse_open_out open{};
    std::memcpy(&open, iov[1].iov_base, sizeof open);
    open.open_flags |= k_open_passthrough;
    open.padding = static_cast<std::uint32_t>(t_backing_id);
    const iovec patched[2] = {iov[0], {&open, sizeof open}};
    return ::writev(fd, patched, 2);
  }
  const std::uint64_t init_unique = m_init_unique.load();
  if (init_unique != 0 && out.unique == init_unique) {
    m_init_unique.store(0);
    alignas(8) char reply[256];
    const std::size_t size = std::min(iov[1].iov_len, sizeof reply);
    std::memcpy(reply, iov[1].iov_base, size);
    const bool take = size == iov[1].iov_len && patch_init(reply, size);
    const iovec patched[2] = {iov[0], {reply, size}};
    const ssize_t n = ::writev(fd, patched, 2);
    if (n >= 0 && take) {
      m_enabled.store(true, std::memory_order_release);
    }
    return n;
  }
  return ::writev(fd, iov, count);
}

Passthrough::Lease Passthrough::open(std::uint64_t ino, int fd, const struct stat* st,
                                     std::string_view name) {
  if (!enabled()) {
    if (!m_told.exchange(true)) {
      m_log("the kernel offers no FUSE passthrough (Linux 6.9 and later): this server serves every read");
    }
    return {};
  }
  if (st && st->st_size < k_min_size) {
    st = nullptr;
  }
  Lease lease;
  lease.m_owner = this;
  lease.m_ino = ino;
  int fresh = 0; // a backing id made by this open
  for (;;) {
    {
      std::lock_guard lock(m_mutex);
      auto it = m_inodes.find(ino);
      if (it == m_inodes.end() && (fresh > 0 || !st || !m_backing_works.load())) {
        it = m_inodes.emplace(ino, Inode{fresh, st ? st->st_dev : 0, st ? st->st_ino : 0, 0}).first;
        fresh = 0;
      }
      if (it != m_inodes.end()) {
        Inode& inode = it->second;
        ++inode.opens;
        if (inode.backing_id > 0) {
          const bool same = st && inode.dev == st->st_dev && inode.ino == st->st_ino;
          lease.m_reads = same ? Reads::kernel : Reads::server_direct;
          lease.m_backing_id = inode.backing_id;
        }
        break;
      }
    }
    // The first open of this inode: make its backing file outside the lock, then look again.
    fresh = make_backing(fd, name);
    if (fresh <= 0) {
      fresh = 0;
      st = nullptr;
    }
  }
  if (fresh > 0) { // another open of the inode made one first
    close_backing(fresh);
  }
  return lease;
}

int Passthrough::make_backing(int fd, std::string_view name) {
  std::string error;
  const int tree = noatime_bind_mount(fd, error);
  int id = tree;
  if (tree >= 0) {
    // Handed over as it is where the kernel takes an O_PATH descriptor (older kernels refuse
    // it with EBADF), else opened first.
    if (m_backing_takes_path.load()) {
      id = backing_open(tree, error);
      if (id == -EBADF) {
        m_backing_takes_path.store(false);
      }
    }
    if (!m_backing_takes_path.load()) {
      const int file = reopen(tree, error);
      id = file >= 0 ? backing_open(file, error) : file;
      if (file >= 0) {
        ::close(file);
      }
    }
    ::close(tree); // the kernel holds the file now
  }
  if (id > 0) {
    if (!m_told.exchange(true)) {
      m_log("reads of source files of 1 MiB or more are passed through to them by the kernel (FUSE "
            "passthrough)");
    }
    return id;
  }
  if (id == -EPERM) { // needs CAP_SYS_ADMIN: no other file will do better
    m_backing_works.store(false);
  }
  if (!m_told_failure.exchange(true)) {
    m_log(std::string(name) + ": cannot pass its reads through to its source (" + error +
          "); this server serves them, and those of every other such file");
  }
  return 0;
}

int Passthrough::backing_open(int file, std::string& error) const {
  BackingMap map;
  map.fd = file;
  const int id = ::ioctl(m_device, k_ioc_backing_open, &map);
  if (id < 0) {
    const int err = errno;
    error = "FUSE_DEV_IOC_BACKING_OPEN: " + errno_text(err);
    return -err;
  }
  return id;
}

void Passthrough::close_backing(int backing_id) const {
  auto id = static_cast<std::uint32_t>(backing_id);
  ::ioctl(m_device, k_ioc_backing_close, &id);
}

void Passthrough::release(std::uint64_t ino) {
  int backing_id = 0;
  {
    std::lock_guard lock(m_mutex);
    const auto it = m_inodes.find(ino);
    if (it == m_inodes.end() || --it->second.opens > 0) {
      return;
    }
    backing_id = it->second.backing_id;
    m_inodes.erase(it);
  }
  // Every open of the inode is released: no open reply naming the id waits for the kernel to
  // look it up (it does so after the reply, in the opener), and the next open may bring another.
  if (backing_id > 0) {
    close_backing(backing_id);
  }
}

int Passthrough::reply_open(fuse_req_t req, fuse_file_info* fi, const Lease& lease) {
  if (lease.reads() == Reads::server) {
    return fuse_reply_open(req, fi);
  }
  fi->keep_cache = 0; // the kernel refuses FOPEN_KEEP_CACHE with FOPEN_PASSTHROUGH
  fi->direct_io = lease.reads() == Reads::server_direct;
  // fuse_reply_open sends the reply on this thread, through writev above.
  t_backing_id = lease.backing_id();
  const int result = fuse_reply_open(req, fi);
  t_backing_id = 0;
  return result;
}

Passthrough::Lease::Lease(Lease&& other) noexcept
    : m_owner(std::exchange(other.m_owner, nullptr)), m_ino(other.m_ino), m_reads(other.m_reads),
      m_backing_id(other.m_backing_id) {}

Passthrough::Lease& Passthrough::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (m_owner) {
      m_owner->release(m_ino);
    }
    m_owner = std::exchange(other.m_owner, nullptr);
    m_ino = other.m_ino;
    m_reads = other.m_reads;
    m_backing_id = other.m_backing_id;
  }
  return *this;
}

Passthrough::Lease::~Lease() {
  if (m_owner) {
    m_owner->release(m_ino);
  }
}

} // namespace ipd::fs
