#include "view_fs.hpp"

#include "index/core/io.hpp"
#include "index/core/placement.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>
#include <utility>

namespace ipd::fs {

namespace {

using Node = ViewSnapshot::Node;

constexpr std::string_view k_xattr_prefix = "user.ipd.";
constexpr const char* k_xattr_names[] = {"role", "source", "reason", "keeper", "capture", "device"};
constexpr blksize_t k_block_size = 128 * 1024;

// A file opened through the mount: its source's descriptor (or, for a generated file, its
// node), and the snapshot the node lives in.
struct OpenFile {
  std::shared_ptr<const ViewSnapshot> snapshot;
  const Node* node = nullptr;
  fuse_ino_t ino = 0; // the inode it was opened by
  int fd = -1;        // -1 for a generated file, served from node->entry.content
  Passthrough::Lease lease;

  OpenFile() = default;
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  ~OpenFile() {
    if (fd >= 0) {
      ::close(fd);
    }
  }
};

// A folder being listed: the listing stays in one snapshot from opendir to releasedir.
struct OpenDir {
  std::shared_ptr<const ViewSnapshot> snapshot;
  const Node* node = nullptr;
};

ViewServer& server(fuse_req_t req) { return *static_cast<ViewServer*>(fuse_req_userdata(req)); }

timespec to_timespec(std::int64_t ns) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1'000'000'000;
    --ts.tv_sec;
  }
  return ts;
}

struct stat attributes(const ViewServer& srv, const Node& node) {
  struct stat st {};
  st.st_ino = node.ino;
  st.st_uid = srv.uid();
  st.st_gid = srv.gid();
  st.st_blksize = k_block_size;
  if (node.is_dir) {
    st.st_mode = S_IFDIR | 0555;
    st.st_nlink = 2 + node.subdirs;
    st.st_size = 4096;
  } else {
    st.st_mode = S_IFREG | 0444;
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(node.entry.size);
  }
  st.st_blocks = (st.st_size + 511) / 512;
  st.st_mtim = st.st_atim = st.st_ctim = to_timespec(node.mtime_ns);
  return st;
}

fuse_entry_param entry_param(const ViewServer& srv, const Node& node) {
  fuse_entry_param e{};
  e.ino = node.ino;
  e.attr = attributes(srv, node);
  e.attr_timeout = k_cache_seconds;
  e.entry_timeout = k_cache_seconds;
  return e;
}

// The value of extended attribute `name` ("user.ipd.role", ...) of a file; empty when it has none.
std::string xattr_value(const Node& node, std::string_view name) {
  if (node.is_dir || name.substr(0, k_xattr_prefix.size()) != k_xattr_prefix) {
    return {};
  }
  const ViewEntry& e = node.entry;
  name.remove_prefix(k_xattr_prefix.size());
  if (name == "role") {
    return e.source.empty() ? std::string("generated") : std::string(role_name(e.role));
  }
  if (name == "source") {
    return e.source;
  }
  if (name == "reason") {
    return e.reason;
  }
  if (name == "keeper") {
    return e.keeper;
  }
  if (name == "capture") {
    return e.capture;
  }
  if (name == "device") {
    return e.device;
  }
  return {};
}

// Replies with `bytes` for getxattr/listxattr: the size when asked for 0 bytes, else the bytes.
void reply_xattr_bytes(fuse_req_t req, const std::string& bytes, size_t size) {
  if (size == 0) {
    fuse_reply_xattr(req, bytes.size());
  } else if (size < bytes.size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, bytes.data(), bytes.size());
  }
}

void op_init(void*, fuse_conn_info* conn) noexcept {
  // Read replies spliced from the source's descriptor: no copy through this process.
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) {
    conn->want |= FUSE_CAP_SPLICE_WRITE;
  }
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_WRITEBACK_CACHE);
  conn->time_gran = 1;
}

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
  ViewServer& srv = server(req);
  const auto snap = srv.current();
  const Node* dir = snap->find(parent);
  const Node* node = dir && dir->is_dir ? snap->child(*dir, name) : nullptr;
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  const fuse_entry_param e = entry_param(srv, *node);
  fuse_reply_entry(req, &e);
}

void op_forget(fuse_req_t req, fuse_ino_t, uint64_t) noexcept {
  fuse_reply_none(req); // inode numbers are hashes of paths: nothing is kept per lookup
}

void op_forget_multi(fuse_req_t req, size_t, fuse_forget_data*) noexcept { fuse_reply_none(req); }

void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
  ViewServer& srv = server(req);
  const auto snap = srv.current();
  const Node* node = snap->find(ino);
  if (!node && fi && fi->fh) { // an open file that a new plan removed: it stays what it was
    node = reinterpret_cast<const OpenFile*>(fi->fh)->node;
  }
  if (!node) { // fstat of such a file comes without its handle
    node = srv.open_node(ino);
  }
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  const struct stat st = attributes(srv, *node);
  fuse_reply_attr(req, &st, k_cache_seconds);
}

void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & (O_TRUNC | O_APPEND | O_CREAT))) {
    fuse_reply_err(req, EROFS);
    return;
  }
  ViewServer& srv = server(req);
  auto snap = srv.current();
  const Node* node = snap->find(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (node->is_dir) {
    fuse_reply_err(req, EISDIR);
    return;
  }
  auto file = std::make_unique<OpenFile>();
  file->node = node;
  struct stat st {};
  bool pass = false; // whether the kernel may read the source itself
  if (!node->entry.source.empty()) {
    std::string error;
    file->fd = open_input(node->entry.source.c_str(), error);
    const int err = errno;
    if (file->fd < 0) {
      srv.log(node->path + ": its source " + node->entry.source + " " + error +
              (err == ENOENT ? " (it is gone: run `iphone-photo-dedup index` again)" : ""));
      fuse_reply_err(req, err == ENOENT ? ENOENT : err == EACCES || err == EPERM ? EACCES : EIO);
      return;
    }
    const bool stat_ok = ::fstat(file->fd, &st) == 0;
    if (stat_ok && (static_cast<std::uint64_t>(st.st_size) != node->entry.size ||
                    timespec_ns(st.st_mtim) != node->entry.mtime_ns)) {
      // Changed since it was indexed: serve what is there, and keep no stale pages.
      srv.log(node->path + ": its source " + node->entry.source +
              " changed since it was indexed (run `iphone-photo-dedup index` again)");
      fi->keep_cache = 0;
    } else {
      fi->keep_cache = 1; // a new plan that changes the file invalidates the pages
      pass = stat_ok;
    }
  } else {
    fi->keep_cache = 1;
  }
  file->lease = srv.passthrough().open(ino, file->fd, pass ? &st : nullptr, node->path);
  file->snapshot = std::move(snap);
  file->ino = ino;
  fi->fh = reinterpret_cast<uint64_t>(file.get());
  srv.hold_open(ino, node);
  // Nonzero when the opener was interrupted: no release follows, so the file goes now.
  if (srv.passthrough().reply_open(req, fi, file->lease) == 0) {
    file.release();
  } else {
    srv.drop_open(ino, node);
  }
}

// Reads of files that the kernel does not pass through to their sources.
void op_read(fuse_req_t req, fuse_ino_t, size_t size, off_t offset, fuse_file_info* fi) noexcept {
  const auto* file = reinterpret_cast<const OpenFile*>(fi->fh);
  if (file->fd < 0) {
    const std::string& content = file->node->entry.content;
    const auto start = std::min<std::size_t>(static_cast<std::size_t>(offset), content.size());
    fuse_reply_buf(req, content.data() + start, std::min(size, content.size() - start));
    return;
  }
  // Zero-copy where the kernel allows: libfuse splices from the source into /dev/fuse.
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = file->fd;
  buf.buf[0].pos = offset;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
  auto* file = reinterpret_cast<OpenFile*>(fi->fh);
  server(req).drop_open(file->ino, file->node);
  delete file;
  fuse_reply_err(req, 0);
}

void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
  auto snap = server(req).current();
  const Node* node = snap->find(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  if (!node->is_dir) {
    fuse_reply_err(req, ENOTDIR);
    return;
  }
  auto dir = std::make_unique<OpenDir>();
  dir->snapshot = std::move(snap);
  dir->node = node;
  fi->fh = reinterpret_cast<uint64_t>(dir.get());
  // The kernel may keep listings: a new plan invalidates every folder whose listing changed.
  fi->cache_readdir = 1;
  fi->keep_cache = 1;
  if (fuse_reply_open(req, fi) == 0) {
    dir.release();
  }
}

// Offsets: 1 after ".", 2 after "..", 3 + i after child i.
void list_dir(fuse_req_t req, size_t size, off_t offset, fuse_file_info* fi, bool plus) noexcept {
  const auto* dir = reinterpret_cast<const OpenDir*>(fi->fh);
  const ViewSnapshot& snap = *dir->snapshot;
  const ViewServer& srv = server(req);
  std::string buf(size, '\0');
  size_t used = 0;
  const auto& children = dir->node->children;
  for (auto next = static_cast<std::size_t>(std::max<off_t>(offset, 0)); next < children.size() + 2; ++next) {
    const Node* node = nullptr;
    const char* name = nullptr;
    std::string child_name;
    if (next == 0) {
      node = dir->node;
      name = ".";
    } else if (next == 1) {
      node = snap.find(dir->node->parent);
      name = "..";
    } else {
      node = &snap.node(children[next - 2]);
      child_name = node->name();
      name = child_name.c_str();
    }
    size_t added = 0;
    const auto next_offset = static_cast<off_t>(next + 1);
    if (plus) {
      fuse_entry_param e = entry_param(srv, *node);
      if (next < 2) {
        e.ino = 0; // "." and ".." are not looked up
        e.attr.st_ino = node->ino;
      }
      added = fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &e, next_offset);
    } else {
      const struct stat st = attributes(srv, *node);
      added = fuse_add_direntry(req, buf.data() + used, size - used, name, &st, next_offset);
    }
    if (added > size - used) {
      break;
    }
    used += added;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void op_readdir(fuse_req_t req, fuse_ino_t, size_t size, off_t offset, fuse_file_info* fi) noexcept {
  list_dir(req, size, offset, fi, false);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t, size_t size, off_t offset, fuse_file_info* fi) noexcept {
  list_dir(req, size, offset, fi, true);
}

void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
  delete reinterpret_cast<OpenDir*>(fi->fh);
  fuse_reply_err(req, 0);
}

void op_statfs(fuse_req_t req, fuse_ino_t) noexcept {
  const auto snap = server(req).current();
  struct statvfs st {};
  st.f_bsize = k_block_size;
  st.f_frsize = 4096;
  st.f_blocks = (snap->total_bytes() + 4095) / 4096;
  st.f_files = snap->nodes().size();
  st.f_namemax = 255;
  fuse_reply_statfs(req, &st);
}

void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) noexcept {
  const auto snap = server(req).current();
  const Node* node = snap->find(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  const std::string value = xattr_value(*node, name);
  if (value.empty()) {
    fuse_reply_err(req, ENODATA);
    return;
  }
  reply_xattr_bytes(req, value, size);
}

void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) noexcept {
  const auto snap = server(req).current();
  const Node* node = snap->find(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  std::string names;
  for (const char* name : k_xattr_names) {
    const std::string full = std::string(k_xattr_prefix) + name;
    if (!xattr_value(*node, full).empty()) {
      names += full;
      names += '\0';
    }
  }
  reply_xattr_bytes(req, names, size);
}

// Every change is refused: the view is read-only (the mount is "ro" too; this is the second lock).
void op_setattr(fuse_req_t req, fuse_ino_t, struct stat*, int, fuse_file_info*) noexcept {
  fuse_reply_err(req, EROFS);
}
void op_mknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) noexcept { fuse_reply_err(req, EROFS); }
void op_mkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) noexcept { fuse_reply_err(req, EROFS); }
void op_unlink(fuse_req_t req, fuse_ino_t, const char*) noexcept { fuse_reply_err(req, EROFS); }
void op_symlink(fuse_req_t req, const char*, fuse_ino_t, const char*) noexcept { fuse_reply_err(req, EROFS); }
void op_rename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*, unsigned) noexcept {
  fuse_reply_err(req, EROFS);
}
void op_link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) noexcept { fuse_reply_err(req, EROFS); }
void op_write(fuse_req_t req, fuse_ino_t, const char*, size_t, off_t, fuse_file_info*) noexcept {
  fuse_reply_err(req, EROFS);
}
void op_create(fuse_req_t req, fuse_ino_t, const char*, mode_t, fuse_file_info*) noexcept {
  fuse_reply_err(req, EROFS);
}
void op_setxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) noexcept {
  fuse_reply_err(req, EROFS);
}
void op_removexattr(fuse_req_t req, fuse_ino_t, const char*) noexcept { fuse_reply_err(req, EROFS); }
void op_fallocate(fuse_req_t req, fuse_ino_t, int, off_t, off_t, fuse_file_info*) noexcept {
  fuse_reply_err(req, EROFS);
}
void op_copy_file_range(fuse_req_t req, fuse_ino_t, off_t, fuse_file_info*, fuse_ino_t, off_t,
                        fuse_file_info*, size_t, int) noexcept {
  fuse_reply_err(req, EROFS);
}

fuse_lowlevel_ops make_operations() {
  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.getattr = op_getattr;
  ops.open = op_open;
  ops.read = op_read;
  ops.release = op_release;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.releasedir = op_releasedir;
  ops.statfs = op_statfs;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.setattr = op_setattr;
  ops.mknod = op_mknod;
  ops.mkdir = op_mkdir;
  ops.unlink = op_unlink;
  ops.rmdir = op_unlink;
  ops.symlink = op_symlink;
  ops.rename = op_rename;
  ops.link = op_link;
  ops.write = op_write;
  ops.create = op_create;
  ops.setxattr = op_setxattr;
  ops.removexattr = op_removexattr;
  ops.fallocate = op_fallocate;
  ops.copy_file_range = op_copy_file_range;
  return ops;
}

// The session's io (ViewServer::take_io): the system calls libfuse would make, seen by the
// passthrough negotiation on the way.
ssize_t io_read(int fd, void* buf, size_t size, void* userdata) {
  const ssize_t n = ::read(fd, buf, size);
  if (n > 0) {
    static_cast<ViewServer*>(userdata)->passthrough().saw_request(buf, static_cast<std::size_t>(n));
  }
  return n;
}

ssize_t io_writev(int fd, struct iovec* iov, int count, void* userdata) {
  return static_cast<ViewServer*>(userdata)->passthrough().writev(fd, iov, count);
}

// Keeps read replies spliced (FUSE_CAP_SPLICE_WRITE needs it with a custom io).
ssize_t io_splice_send(int fdin, off_t* offin, int fdout, off_t* offout, size_t size, unsigned flags, void*) {
  return ::splice(fdin, offin, fdout, offout, size, flags);
}

} // namespace

ViewServer::ViewServer(std::shared_ptr<const ViewSnapshot> first, Log log)
    : m_current(std::move(first)), m_log(log), m_passthrough(log), m_uid(::getuid()), m_gid(::getgid()) {}

void ViewServer::take_io(fuse_session* session) {
  fuse_custom_io io{};
  io.read = io_read;
  io.writev = io_writev;
  io.splice_send = io_splice_send;
  const int fd = fuse_session_fd(session);
  if (fuse_session_custom_io(session, &io, fd) == 0) {
    m_passthrough.set_device(fd);
  }
}

std::shared_ptr<const ViewSnapshot> ViewServer::current() const {
  std::lock_guard lock(m_mutex);
  return m_current;
}

void ViewServer::hold_open(fuse_ino_t ino, const ViewSnapshot::Node* node) {
  std::lock_guard lock(m_mutex);
  m_open.emplace(ino, node);
}

void ViewServer::drop_open(fuse_ino_t ino, const ViewSnapshot::Node* node) {
  std::lock_guard lock(m_mutex);
  for (auto [it, end] = m_open.equal_range(ino); it != end; ++it) {
    if (it->second == node) {
      m_open.erase(it);
      return;
    }
  }
}

const ViewSnapshot::Node* ViewServer::open_node(fuse_ino_t ino) const {
  std::lock_guard lock(m_mutex);
  const auto it = m_open.find(ino);
  return it == m_open.end() ? nullptr : it->second;
}

void ViewServer::set_session(fuse_session* session) {
  std::lock_guard lock(m_mutex);
  m_session = session;
}

void ViewServer::replace(std::shared_ptr<const ViewSnapshot> next) {
  std::shared_ptr<const ViewSnapshot> before;
  fuse_session* session = nullptr;
  {
    std::lock_guard lock(m_mutex);
    before = std::exchange(m_current, next);
    session = m_session;
  }
  if (!session) {
    return;
  }
  // After the swap, so that the kernel's next questions get the new answers. Names it does not
  // hold give ENOENT, which is fine.
  const ViewChanges changes = view_changes(*before, *next);
  for (const auto& [parent, name] : changes.entries) {
    fuse_lowlevel_notify_inval_entry(session, parent, name.c_str(), name.size());
  }
  for (const auto ino : changes.inodes) {
    fuse_lowlevel_notify_inval_inode(session, ino, 0, 0);
  }
}

const fuse_lowlevel_ops& view_operations() {
  static const fuse_lowlevel_ops ops = make_operations();
  return ops;
}

} // namespace ipd::fs
